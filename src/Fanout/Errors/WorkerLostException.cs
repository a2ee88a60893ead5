namespace Fanout;

/// <summary>
/// A worker process ended without sending back a result or an exception: it called
/// <c>Environment.Exit</c>, was terminated or killed, or crashed — or, for a
/// <see cref="SlurmExecutor"/>, its job left the queue without writing a result (cancelled from
/// outside, out of memory, node failure). Carries its pid and exit status (the signal, when one killed it).
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

    /// <summary>A cluster job that ended without a result; <paramref name="message"/> says what Slurm reported.</summary>
    internal WorkerLostException(string jobName, ExitStatus status, string message)
        : base(message)
    {
        WorkerName = jobName;
        Status = status;
    }

    /// <summary>The worker's name (for a cluster job: the job, such as <c>SlurmJob-123_4</c>).</summary>
    public string WorkerName { get; }

    /// <summary>The worker's process id (0 for a cluster job, which ran on another machine).</summary>
    public int Pid { get; }

    /// <summary>How the worker ended.</summary>
    public ExitStatus Status { get; }

    /// <summary>The signal that killed the worker, or null when it exited.</summary>
    public Signal? Signal => Status.Signal;
}
