namespace Fanout.Batch;

/// <summary>
/// Where a batch's jobs run. The runner decides what runs when; a backend runs one attempt of one
/// job and reports how it ended. Local processes are the default; a cluster scheduler is another.
/// </summary>
public interface IJobBackend
{
    /// <summary>The name written in the job log's Host column for jobs run here.</summary>
    string Host { get; }

    /// <summary>
    /// True when the backend enforces each attempt's <see cref="JobAttempt.TimeLimit"/> itself (a
    /// cluster scheduler counts from when the job starts, not from when it was queued); the runner
    /// then starts no timer of its own. False by default: the runner stops the attempt when it expires.
    /// </summary>
    bool EnforcesTimeLimits => false;

    /// <summary>Runs one attempt. Cancelling <paramref name="cancellationToken"/> stops the job (SIGTERM, the grace period, SIGKILL) and the result says so.</summary>
    Task<AttemptResult> RunAsync(JobAttempt attempt, CancellationToken cancellationToken);
}

/// <summary>One attempt at one job.</summary>
/// <param name="Job">The job.</param>
/// <param name="CommandLine">The command to run (the job's, with the slot filled in where it depends on it).</param>
/// <param name="Sequence">The job's sequence number.</param>
/// <param name="Slot">The job slot it runs in, from 1 (GNU parallel's <c>{%}</c>).</param>
/// <param name="Attempt">1 for the first run, 2 for the first retry…</param>
/// <param name="GracePeriod">Between SIGTERM and SIGKILL when it is stopped.</param>
/// <param name="KillIfRunnerDies">True to have the kernel kill it if the runner dies.</param>
/// <param name="OnLine">When set, called with each line of output as it comes, ending with its <c>\n</c> (a last line may have none; true for stderr), instead of collecting it.</param>
/// <param name="KillNow">Cancelled to end the job at once with SIGKILL, even during its grace period.</param>
/// <param name="TimeLimit">The job's fixed time limit (its own, else the batch's), or null; see <see cref="IJobBackend.EnforcesTimeLimits"/>.</param>
/// <param name="Uncaptured">True to let the job write straight to the runner's own stdout and stderr (<see cref="BatchOptions.Ungrouped"/>); the result then carries no output.</param>
public sealed record JobAttempt(
    JobSpec Job,
    string CommandLine,
    long Sequence,
    int Slot,
    int Attempt,
    TimeSpan GracePeriod,
    bool KillIfRunnerDies,
    Action<string, bool>? OnLine,
    CancellationToken KillNow,
    TimeSpan? TimeLimit = null,
    bool Uncaptured = false);

/// <summary>How one attempt ended.</summary>
/// <param name="Status">The exit status, when the job ran to an exit.</param>
/// <param name="Stopped">True when it was stopped by the runner (timeout, halt or interruption).</param>
/// <param name="StartTime">When it started.</param>
/// <param name="Runtime">How long it ran.</param>
/// <param name="Stdout">What it wrote on stdout (empty when streamed line by line).</param>
/// <param name="Stderr">What it wrote on stderr (empty when streamed line by line).</param>
/// <param name="Usage">CPU time and peak memory, when known.</param>
/// <param name="StartError">Why it could not start (or, on a cluster, why it ended without a status), or null.</param>
/// <param name="Host">The machine it ran on, when the backend knows better than its own <see cref="IJobBackend.Host"/>.</param>
public sealed record AttemptResult(
    ExitStatus? Status,
    bool Stopped,
    DateTimeOffset StartTime,
    TimeSpan Runtime,
    byte[] Stdout,
    byte[] Stderr,
    ResourceUsage? Usage,
    string? StartError,
    string? Host = null)
{
    /// <summary>The bytes its <see cref="JobSpec.StandardInputWriter"/> wrote, when it had one; otherwise the size of its <see cref="JobSpec.StandardInput"/> counts.</summary>
    public long? BytesSent { get; init; }
}
