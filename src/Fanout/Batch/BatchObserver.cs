namespace Fanout.Batch;

/// <summary>
/// Hears what a running batch does. Every method is called from the runner's own loop, one call at
/// a time (except <see cref="JobOutputLine"/>, which comes from the job's reader as lines arrive);
/// keep them quick. The default implementations do nothing.
/// </summary>
public abstract class BatchObserver
{
    /// <summary>A job (or a retry of it) has started.</summary>
    public virtual void JobStarted(JobSpec job, long sequence, int slot, int attempt)
    {
    }

    /// <summary>A job was not run because an earlier run's job log shows it done.</summary>
    public virtual void JobAlreadyDone(JobSpec job, long sequence)
    {
    }

    /// <summary>A line of a job's output, in line-buffer mode only: as written, ending with its <c>\n</c> (a last line may have none).</summary>
    public virtual void JobOutputLine(JobSpec job, long sequence, string line, bool isStderr)
    {
    }

    /// <summary>An attempt failed and the job will run again after <paramref name="delay"/>.</summary>
    public virtual void JobRetrying(JobResult failedAttempt, TimeSpan delay)
    {
    }

    /// <summary>A job has ended for good: succeeded, failed after every retry, timed out, skipped or stopped.</summary>
    public virtual void JobFinished(JobResult result)
    {
    }

    /// <summary>The batch has started stopping early, for the reason given.</summary>
    public virtual void Halting(string reason)
    {
    }
}
