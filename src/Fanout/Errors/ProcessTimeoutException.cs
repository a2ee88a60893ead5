namespace Fanout;

/// <summary>
/// A wait or a communicate did not finish in time. It carries whatever output had been read so
/// far. The child is left as it was (alive, unless the operation that threw says it stops it), so
/// the caller decides whether to terminate it — as Python's <c>TimeoutExpired</c>.
/// </summary>
public sealed class ProcessTimeoutException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    public ProcessTimeoutException(string commandLine, int pid, TimeSpan timeout, byte[]? stdout = null, byte[]? stderr = null)
        : base($"'{commandLine}' (pid {pid}) did not finish within {timeout.TotalSeconds:0.###} s")
    {
        CommandLine = commandLine;
        Pid = pid;
        Timeout = timeout;
        Stdout = stdout ?? [];
        Stderr = stderr ?? [];
    }

    /// <summary>The command, quoted as a shell would need it.</summary>
    public string CommandLine { get; }

    /// <summary>The child's process id.</summary>
    public int Pid { get; }

    /// <summary>The time that ran out.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Standard output read before the time ran out (empty when it was not captured).</summary>
    public byte[] Stdout { get; }

    /// <summary>Standard error read before the time ran out (empty when it was not captured).</summary>
    public byte[] Stderr { get; }
}
