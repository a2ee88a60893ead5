namespace Fanout.Batch;

/// <summary>The end of one job of a batch: what ran, how it ended, when, where, and what it printed.</summary>
/// <param name="Job">The job.</param>
/// <param name="Sequence">Its sequence number in the batch (GNU parallel's <c>{#}</c>), from 1.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Status">Its exit status, when it ran to an exit.</param>
/// <param name="StartTime">When its last attempt started.</param>
/// <param name="Runtime">How long its last attempt ran.</param>
/// <param name="Attempts">How many times it was run (1 + retries used).</param>
/// <param name="Host">Where it ran.</param>
/// <param name="Stdout">What its last attempt wrote on stdout.</param>
/// <param name="Stderr">What its last attempt wrote on stderr.</param>
/// <param name="Usage">CPU time and peak memory of its last attempt, when known.</param>
/// <param name="Error">Why it could not start, or why it was skipped, when that is the outcome.</param>
public sealed record JobResult(
    JobSpec Job,
    long Sequence,
    JobOutcome Outcome,
    ExitStatus? Status,
    DateTimeOffset StartTime,
    TimeSpan Runtime,
    int Attempts,
    string Host,
    byte[] Stdout,
    byte[] Stderr,
    ResourceUsage? Usage,
    string? Error = null)
{
    /// <summary>The bytes written to its standard input (<see cref="JobSpec.StandardInput"/>, which the result does not keep, or by its <see cref="JobSpec.StandardInputWriter"/>).</summary>
    public long BytesSent { get; init; }

    /// <summary>True when it exited with code 0.</summary>
    public bool Succeeded => Outcome == JobOutcome.Succeeded;

    /// <summary>"exited with code 3", "killed by SIGKILL (signal 9)", "timed out after 5 s", "skipped: …".</summary>
    public string Describe() => Outcome switch
    {
        JobOutcome.TimedOut => $"timed out after {Runtime.TotalSeconds:0.###} s" + (Status is { } s ? $" ({s})" : ""),
        JobOutcome.StartFailed => $"could not start: {Error}",
        JobOutcome.Skipped => $"skipped: {Error}",
        JobOutcome.Cancelled => "stopped by the interrupted or halted batch" + (Status is { } s ? $" ({s})" : ""),
        _ => Status?.ToString() ?? "unknown",
    };
}
