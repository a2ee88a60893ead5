namespace Fanout.Batch;

/// <summary>How a batch runs. Every property has the default a command-line user would expect.</summary>
public sealed record BatchOptions
{
    /// <summary>How many jobs run at once; the number of cores by default.</summary>
    public int MaxParallel { get; init; } = Environment.ProcessorCount;

    /// <summary>The time limit per job, or null for none.</summary>
    public TimeoutPolicy? Timeout { get; init; }

    /// <summary>How many times a failed job is run again (so up to 1 + this many runs).</summary>
    public int Retries { get; init; }

    /// <summary>The wait before the first retry; it doubles at each further retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>When the batch stops early.</summary>
    public HaltPolicy Halt { get; init; } = HaltPolicy.Never;

    /// <summary>A job log to append to, or null.</summary>
    public string? JoblogPath { get; init; }

    /// <summary>What an existing job log means for this run.</summary>
    public ResumeMode Resume { get; init; } = ResumeMode.None;

    /// <summary>A folder to write each job's stdout, stderr and status into, or null.</summary>
    public string? ResultsDirectory { get; init; }

    /// <summary>
    /// A <see cref="Batch.ResultsTable"/> to write every job's record and output into, as one
    /// .csv, .tsv or .json file (GNU parallel's <c>--results out.csv</c>), or null.
    /// </summary>
    public ResultsTable? ResultsTable { get; init; }

    /// <summary>Where the files and named pipes of <see cref="InputDelivery"/> are made; null for the system's temporary folder (<c>$TMPDIR</c>, else <c>/tmp</c>).</summary>
    public string? TemporaryDirectory { get; init; }

    /// <summary>Stream each job's output line by line as it comes instead of whole at its end.</summary>
    public bool LineBuffer { get; init; }

    /// <summary>
    /// Let jobs write straight to the runner's own stdout and stderr, uncaptured (GNU parallel's
    /// <c>-u</c>): nothing is buffered or copied, so output appears the moment it is written, but
    /// lines of jobs running at once may mix. A cluster backend, whose jobs write to files, prints
    /// their output when they end as usual.
    /// </summary>
    public bool Ungrouped { get; init; }

    /// <summary>Start a job only while at least this many bytes of memory are available, or null.</summary>
    public long? MinimumFreeMemory { get; init; }

    /// <summary>Start a job only while the one-minute load average is below this, or null.</summary>
    public double? MaximumLoad { get; init; }

    /// <summary>
    /// The least time between two job starts (GNU parallel's <c>--delay</c>), to spare a shared file
    /// system or licence server a burst of starts; zero by default.
    /// </summary>
    public TimeSpan StartDelay { get; init; }

    /// <summary>
    /// How many jobs of a stream without dependencies are read ahead of the ones started: enough
    /// (10,000 by default) to count a batch of that size at once for progress and its ETA, while a
    /// million lines never sit in memory. Jobs that carry large <see cref="JobSpec.StandardInput"/>
    /// blocks want a small number here, since each read-ahead job holds its block.
    /// </summary>
    public int ReadAhead { get; init; } = 10_000;

    /// <summary>How long a stopped job gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>True (the default) so that jobs are killed by the kernel if the runner itself dies, even by SIGKILL; a resumed run then never meets an orphan from the last one.</summary>
    public bool KillJobsIfRunnerDies { get; init; } = true;
}

/// <summary>What a job log left by an earlier run means.</summary>
public enum ResumeMode
{
    /// <summary>Run every job.</summary>
    None,

    /// <summary>Skip every job the log shows finished, whatever its status (GNU parallel's <c>--resume</c>).</summary>
    Resume,

    /// <summary>Skip the jobs the log shows succeeded; run failed and unfinished ones (<c>--resume-failed</c>).</summary>
    ResumeFailed,
}
