namespace Fanout;

/// <summary>
/// A task in a process pool ran longer than the pool's per-task timeout, so its worker was
/// killed (and replaced); or a <see cref="SlurmExecutor"/>'s job reached its time limit and Slurm
/// ended it (state TIMEOUT). Python's pools have no such limit: a stuck task blocks them forever.
/// </summary>
public sealed class TaskTimeoutException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="workerName">The worker that ran the task.</param>
    /// <param name="pid">Its process id.</param>
    /// <param name="timeout">The time the task was given.</param>
    public TaskTimeoutException(string workerName, int pid, TimeSpan timeout)
        : base($"The task did not finish within {timeout.TotalSeconds:0.###} s, so its worker '{workerName}' (pid {pid}) was killed and replaced.")
    {
        WorkerName = workerName;
        Pid = pid;
        Timeout = timeout;
    }

    /// <summary>A cluster job that Slurm ended at its time limit (<paramref name="timeout"/>, or zero when the partition's default applied).</summary>
    internal TaskTimeoutException(string jobName, TimeSpan timeout, string message)
        : base(message)
    {
        WorkerName = jobName;
        Timeout = timeout;
    }

    /// <summary>The worker that ran the task (for a cluster job: the job, such as <c>SlurmJob-123_4</c>).</summary>
    public string WorkerName { get; }

    /// <summary>Its process id (0 for a cluster job, which ran on another machine).</summary>
    public int Pid { get; }

    /// <summary>The time the task was given.</summary>
    public TimeSpan Timeout { get; }
}
