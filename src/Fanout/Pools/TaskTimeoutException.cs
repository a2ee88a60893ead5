namespace Fanout;

/// <summary>
/// A task in a process pool ran longer than the pool's per-task timeout, so its worker was
/// killed (and replaced). Python's pools have no such limit: a stuck task blocks them forever.
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

    /// <summary>The worker that ran the task.</summary>
    public string WorkerName { get; }

    /// <summary>Its process id.</summary>
    public int Pid { get; }

    /// <summary>The time the task was given.</summary>
    public TimeSpan Timeout { get; }
}
