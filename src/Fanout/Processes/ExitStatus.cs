using System.Globalization;

namespace Fanout;

/// <summary>
/// How a child process ended: it exited with a code, or a signal killed it. Unlike .NET's
/// <c>Process.ExitCode</c> (which reports a signal death as 128 + n), the two never mix up.
/// </summary>
public readonly record struct ExitStatus
{
    private ExitStatus(int? code, Signal? signal, bool coreDumped)
    {
        ExitCode = code;
        Signal = signal;
        CoreDumped = coreDumped;
    }

    /// <summary>The code passed to <c>exit</c>, or null when a signal killed the process.</summary>
    public int? ExitCode { get; }

    /// <summary>The signal that killed the process, or null when it exited.</summary>
    public Signal? Signal { get; }

    /// <summary>True when the kernel wrote a core dump as the signal killed the process.</summary>
    public bool CoreDumped { get; }

    /// <summary>True when the process exited with code 0.</summary>
    public bool Success => ExitCode == 0;

    /// <summary>Python's convention: the exit code, or minus the signal number (−15 after SIGTERM).</summary>
    public int ReturnCode => ExitCode ?? -Signal!.Value.Number;

    /// <summary>The shell's convention (<c>$?</c>): the exit code, or 128 + the signal number.</summary>
    public int ShellCode => ExitCode ?? 128 + Signal!.Value.Number;

    /// <summary>A status for a process that exited with <paramref name="code"/> (0–255).</summary>
    public static ExitStatus Exited(int code) => new(code, null, false);

    /// <summary>A status for a process killed by <paramref name="signal"/>.</summary>
    public static ExitStatus Signaled(Signal signal, bool coreDumped = false) => new(null, signal, coreDumped);

    /// <summary>Decodes a raw status word from <c>wait4</c>.</summary>
    internal static ExitStatus FromWaitStatus(int status)
    {
        var low = status & 0x7f;
        return low == 0
            ? Exited((status >> 8) & 0xff)
            : Signaled(Fanout.Signal.FromNumber(low), (status & 0x80) != 0);
    }

    /// <summary>"exited with code 3" or "killed by SIGTERM (signal 15)".</summary>
    public override string ToString() => ExitCode is { } code
        ? string.Create(CultureInfo.InvariantCulture, $"exited with code {code}")
        : string.Create(CultureInfo.InvariantCulture,
            $"killed by {Signal!.Value.Name} (signal {Signal.Value.Number}){(CoreDumped ? ", core dumped" : "")}");
}
