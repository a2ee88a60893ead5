namespace Fanout.Batch;

/// <summary>What a finished batch did.</summary>
/// <param name="Total">Jobs in the batch, or, when it stopped before reading all its input, the jobs read.</param>
/// <param name="Succeeded">Jobs that succeeded in this run.</param>
/// <param name="Failures">
/// Every job that failed, timed out, could not start, was skipped for a failed dependency, or was
/// stopped. To keep a batch of many failures small, each keeps only the last
/// <see cref="BatchRunner.FailureStderrKept"/> bytes of its stderr and none of its stdout; the whole
/// output went to the observer (and to the results folder) when the job ended.
/// </param>
/// <param name="AlreadyDone">Jobs skipped because an earlier run's job log shows them done.</param>
/// <param name="WallTime">From the start of the batch to its end.</param>
/// <param name="CpuTime">User plus system CPU time of every attempt of every job.</param>
/// <param name="Interrupted">True when the batch was cancelled (Ctrl-C, SIGTERM).</param>
/// <param name="HaltReason">Why the batch halted early, or null.</param>
/// <param name="TotalKnown">False when the batch stopped before reading all its input, so more jobs may have followed.</param>
/// <param name="RecordingError">
/// Why a job's end could not be recorded (the job log, the results directory or the observer's
/// output failed: a full disk, a closed pipe), or null. The batch stopped starting jobs and
/// stopped the running ones at that point, since their ends could not be recorded either.
/// </param>
/// <param name="HaltExitCode">The exit code GNU parallel gives a batch halted by <c>--halt</c>, fixed when the halt was reached; null when it did not halt.</param>
public sealed record BatchSummary(
    long Total,
    int Succeeded,
    IReadOnlyList<JobResult> Failures,
    int AlreadyDone,
    TimeSpan WallTime,
    TimeSpan CpuTime,
    bool Interrupted,
    string? HaltReason,
    bool TotalKnown = true,
    string? RecordingError = null,
    int? HaltExitCode = null)
{
    /// <summary>True when every job succeeded (or was already done) and nothing interrupted the batch.</summary>
    public bool Success => Failures.Count == 0 && !Interrupted && HaltReason is null && RecordingError is null && Succeeded + AlreadyDone == Total;

    /// <summary>
    /// GNU parallel's exit code: the number of jobs that failed, at most 101, so 0 when none did.
    /// A batch halted by <c>--halt</c> has <see cref="HaltExitCode"/> instead (0 when halted on
    /// success). An interrupted batch is never 0; one whose results could not be recorded is 255
    /// (GNU parallel's "other error").
    /// </summary>
    public int ExitCode => RecordingError is not null ? 255
        : HaltExitCode is { } halted && !Interrupted ? halted
        : Failures.Count == 0 && !Interrupted ? 0
        : Math.Clamp(Failures.Count, 1, 101);
}
