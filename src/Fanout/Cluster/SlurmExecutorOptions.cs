using System.Collections.Immutable;

namespace Fanout;

/// <summary>
/// How a <see cref="SlurmExecutor"/> hands its calls to Slurm: where (partition, account), with
/// what each call may use (CPUs, memory, time), where the calls and results are kept, and how
/// often Slurm is asked about them. Immutable; <c>with</c> expressions make changed copies.
/// </summary>
/// <example>
/// <code>
/// var options = new SlurmExecutorOptions { Partition = "short", TimePerTask = TimeSpan.FromMinutes(10), MemoryPerTask = 2L &lt;&lt; 30 };
/// await using var executor = new SlurmExecutor(options);
/// </code>
/// </example>
public sealed record SlurmExecutorOptions
{
    /// <summary>The partition (<c>sbatch --partition</c>), or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The account (<c>sbatch --account</c>), or null.</summary>
    public string? Account { get; init; }

    /// <summary>More <c>sbatch</c> options, passed as they are (e.g. <c>--qos=long</c>, <c>--constraint=avx2</c>).</summary>
    public ImmutableArray<string> SbatchArguments { get; init; } = [];

    /// <summary>The job name Slurm shows (<c>sbatch --job-name</c>).</summary>
    public string JobName { get; init; } = "fanout";

    /// <summary>CPUs for each call (<c>--cpus-per-task</c>); 1 by default.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Memory for each call in bytes (<c>--mem</c>, rounded to MiB), or null for the partition's default.</summary>
    public long? MemoryPerTask { get; init; }

    /// <summary>
    /// The time limit of each call (<c>--time</c>, rounded up to whole minutes, as Slurm counts), or
    /// null for the partition's default. A call that reaches it fails with <see cref="TaskTimeoutException"/>.
    /// </summary>
    public TimeSpan? TimePerTask { get; init; }

    /// <summary>
    /// A folder every node can read and write (a shared file system): each executor keeps its
    /// calls, results and the jobs' output in a folder of its own under it. Relative paths are made
    /// absolute from the current directory, which must then be shared with the nodes.
    /// </summary>
    public string StateDirectory { get; init; } = ".fanout-slurm";

    /// <summary>How often Slurm is asked about the outstanding jobs — one <c>squeue</c> call each time, however many there are.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long calls are gathered before they are submitted together as one job array.</summary>
    public TimeSpan SubmitDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a job may be gone from the queue (or finished) without its result file before its
    /// call fails with <see cref="WorkerLostException"/>: shared file systems show files late.
    /// </summary>
    public TimeSpan ResultGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many chunks a <see cref="SlurmExecutor.Map{T, TResult}"/> submits ahead of the results being read.</summary>
    public int MapWindow { get; init; } = 1000;

    /// <summary>
    /// True to keep the executor's folder when it is disposed. By default it is removed then,
    /// unless a call failed (its job's output stays there to read).
    /// </summary>
    public bool KeepFiles { get; init; }
}
