using System.Text;

namespace Fanout;

/// <summary>
/// A child process that was required to succeed (<c>check: true</c>) exited with a non-zero code or
/// was killed by a signal. It carries the command, the status and the captured output.
/// </summary>
public sealed class ProcessFailedException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    public ProcessFailedException(string commandLine, ExitStatus status, byte[]? stdout = null, byte[]? stderr = null)
        : base(Describe(commandLine, status, stderr))
    {
        CommandLine = commandLine;
        Status = status;
        Stdout = stdout ?? [];
        Stderr = stderr ?? [];
    }

    /// <summary>The command, quoted as a shell would need it.</summary>
    public string CommandLine { get; }

    /// <summary>How the process ended.</summary>
    public ExitStatus Status { get; }

    /// <summary>Captured standard output (empty when it was not captured).</summary>
    public byte[] Stdout { get; }

    /// <summary>Captured standard error (empty when it was not captured).</summary>
    public byte[] Stderr { get; }

    private static string Describe(string commandLine, ExitStatus status, byte[]? stderr)
    {
        var message = $"'{commandLine}' {status}. To accept failures, run it without check.";
        if (stderr is not { Length: > 0 })
            return message;
        var lines = Encoding.UTF8.GetString(stderr).TrimEnd().Split('\n');
        return message + Environment.NewLine + "Last lines of its stderr:" + Environment.NewLine
            + string.Join(Environment.NewLine, lines.TakeLast(5));
    }
}
