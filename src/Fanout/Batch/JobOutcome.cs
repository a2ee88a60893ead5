namespace Fanout.Batch;

/// <summary>How a job of a batch ended.</summary>
public enum JobOutcome
{
    /// <summary>It exited with code 0.</summary>
    Succeeded,

    /// <summary>It exited with another code or was killed by a signal, after every retry.</summary>
    Failed,

    /// <summary>It ran out of time and was stopped, after every retry.</summary>
    TimedOut,

    /// <summary>It could not be started (missing program, bad directory…).</summary>
    StartFailed,

    /// <summary>A job it depends on did not succeed, so it never ran.</summary>
    Skipped,

    /// <summary>The batch was interrupted or halted while it ran, and it was stopped.</summary>
    Cancelled,
}
