using System.Collections.Immutable;

namespace Fanout.Batch;

/// <summary>How jobs are handed to Slurm.</summary>
public sealed record SlurmOptions
{
    /// <summary>The partition (<c>sbatch --partition</c>), or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The account (<c>sbatch --account</c>), or null.</summary>
    public string? Account { get; init; }

    /// <summary>More <c>sbatch</c> arguments, passed as they are (e.g. <c>--qos=long</c>).</summary>
    public ImmutableArray<string> SbatchArguments { get; init; } = [];

    /// <summary>
    /// A folder every node can read and write (a shared file system): the tasks' scripts, outputs
    /// and status files go under it. Relative paths are made absolute from the current directory.
    /// </summary>
    public string StateDirectory { get; init; } = ".fanout-slurm";

    /// <summary>How often the backend asks Slurm for the state of everything it submitted — one call each time, whatever the number of jobs.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long attempts are gathered before they are submitted together as job arrays.</summary>
    public TimeSpan SubmitDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a task may be finished in Slurm's eyes without its status file before it is settled as lost (file systems can lag).</summary>
    public TimeSpan StatusGrace { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// What to do with tasks an earlier run (under the same <see cref="StateDirectory"/>) submitted
    /// and never recorded, for instance because it was killed: with <see cref="ResumeMode.Resume"/>
    /// or <see cref="ResumeMode.ResumeFailed"/>, a job whose command such a task is running, or ran
    /// (successfully, for ResumeFailed), is adopted instead of submitted again, so nothing runs twice.
    /// </summary>
    public ResumeMode AdoptEarlierTasks { get; init; } = ResumeMode.None;

    /// <summary>The most array tasks of this run that Slurm runs at once (<c>--array=…%N</c>), or null for no limit.</summary>
    public int? Throttle { get; init; }
}
