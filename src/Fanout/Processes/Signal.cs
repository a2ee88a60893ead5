using System.Globalization;

namespace Fanout;

/// <summary>
/// A Linux signal number with its conventional name. The common signals are named properties;
/// any other number can be made with <see cref="FromNumber"/>.
/// </summary>
public readonly record struct Signal
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
        "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    private Signal(int number) => Number = number;

    /// <summary>The signal's number as the kernel knows it.</summary>
    public int Number { get; }

    /// <summary>The conventional name, such as <c>SIGTERM</c>; <c>SIGRTMIN+n</c> or <c>SIG{n}</c> otherwise.</summary>
    public string Name => Number > 0 && Number < Names.Length
        ? Names[Number]
        : Number >= 34 && Number <= 64
            ? string.Create(CultureInfo.InvariantCulture, $"SIGRTMIN+{Number - 34}")
            : string.Create(CultureInfo.InvariantCulture, $"SIG{Number}");

    /// <summary>Hang-up (1).</summary>
    public static Signal Hangup => new(1);

    /// <summary>Interrupt, as from Ctrl-C (2).</summary>
    public static Signal Interrupt => new(2);

    /// <summary>Quit (3).</summary>
    public static Signal Quit => new(3);

    /// <summary>Abort (6).</summary>
    public static Signal Abort => new(6);

    /// <summary>Kill: cannot be caught or ignored (9).</summary>
    public static Signal Kill => new(9);

    /// <summary>User-defined signal 1 (10).</summary>
    public static Signal User1 => new(10);

    /// <summary>Segmentation fault (11).</summary>
    public static Signal SegmentationFault => new(11);

    /// <summary>User-defined signal 2 (12).</summary>
    public static Signal User2 => new(12);

    /// <summary>Broken pipe (13).</summary>
    public static Signal Pipe => new(13);

    /// <summary>Alarm clock (14).</summary>
    public static Signal Alarm => new(14);

    /// <summary>Terminate politely (15): what <see cref="ChildProcess.Terminate"/> sends.</summary>
    public static Signal Terminate => new(15);

    /// <summary>Continue a stopped process (18).</summary>
    public static Signal Continue => new(18);

    /// <summary>Stop: cannot be caught or ignored (19).</summary>
    public static Signal Stop => new(19);

    /// <summary>A signal by number.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is not between 1 and 64.</exception>
    public static Signal FromNumber(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 64);
        return new Signal(number);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
