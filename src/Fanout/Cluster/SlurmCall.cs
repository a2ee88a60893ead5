namespace Fanout;

/// <summary>
/// One <see cref="SlurmExecutor"/> call (or chunk of a map) on its way through Slurm: the pool job
/// it carries, and once submitted, the array task that runs it. Changed under the executor's lock.
/// </summary>
internal sealed class SlurmCall(PoolJob job)
{
    internal PoolJob Job { get; } = job;

    internal string? JobId { get; set; }

    internal int Index { get; set; }

    /// <summary>The array's folder: task-<i>i</i>.json in, result-<i>i</i>.json and the output out.</summary>
    internal string? Folder { get; set; }

    /// <summary>When Slurm was first seen to list the task as ended (or not at all) while no result had come.</summary>
    internal DateTime? EndSeen { get; set; }

    /// <summary>Its future was cancelled; a job submitted for it must be cancelled too.</summary>
    internal bool CancelRequested { get; set; }

    /// <summary>The id <c>scancel</c> and <c>squeue</c> know the array task by.</summary>
    internal string SlurmId => $"{JobId}_{Index}";

    /// <summary>The name exceptions give the "worker" that ran the call.</summary>
    internal string Name => $"SlurmJob-{SlurmId}";

    internal string TaskFile => Path.Combine(Folder!, $"task-{Index}.json");

    internal string ResultFile => Path.Combine(Folder!, $"result-{Index}.json");

    /// <summary>Where Slurm wrote the job's stdout and stderr, for messages.</summary>
    internal string OutputFiles => Path.Combine(Folder!, $"task-{Index}.out") + " and .err";
}
