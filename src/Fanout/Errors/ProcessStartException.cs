namespace Fanout;

/// <summary>
/// A child process could not be started: the program is missing or not executable, the working
/// directory does not exist, the system is out of processes or file descriptors, and so on.
/// Thrown by the start itself, never reported later as an exit code such as 127.
/// </summary>
public sealed class ProcessStartException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="program">The program as the caller named it.</param>
    /// <param name="reason">Why it could not start, naming the input that is wrong.</param>
    /// <param name="errno">The operating system's error number, when there is one.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ProcessStartException(string program, string reason, int? errno = null, Exception? innerException = null)
        : base($"Cannot start '{program}': {reason}", innerException)
    {
        Program = program;
        Reason = reason;
        Errno = errno;
    }

    /// <summary>The program as the caller named it.</summary>
    public string Program { get; }

    /// <summary>Why it could not start.</summary>
    public string Reason { get; }

    /// <summary>The operating system's error number (errno), when there is one.</summary>
    public int? Errno { get; }
}
