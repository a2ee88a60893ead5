namespace Fanout;

/// <summary>
/// A worker process ended without sending back a result or an exception: it called
/// <c>Environment.Exit</c>, was terminated or killed, or crashed. Carries its pid and exit status
/// (the signal, when one killed it).
/// </summary>
public sealed class WorkerLostException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="workerName">The worker's name.</param>
    /// <param name="pid">Its process id.</param>
    /// <param name="status">How it ended.</param>
    public WorkerLostException(string workerName, int pid, ExitStatus status)
        : base($"Worker '{workerName}' (pid {pid}) {status} before returning a value, so it has no result.")
    {
        WorkerName = workerName;
        Pid = pid;
        Status = status;
    }

    /// <summary>The worker's name.</summary>
    public string WorkerName { get; }

    /// <summary>The worker's process id.</summary>
    public int Pid { get; }

    /// <summary>How the worker ended.</summary>
    public ExitStatus Status { get; }

    /// <summary>The signal that killed the worker, or null when it exited.</summary>
    public Signal? Signal => Status.Signal;
}
