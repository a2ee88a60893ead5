namespace Fanout.Tests.Pools;

/// <summary>What the pool specs run in worker processes.</summary>
internal static class PoolTargets
{
    internal static int Double(int n) => n * 2;

    internal static int Add(int a, int b) => a + b;

    internal static string Describe(int n, string text, bool flag) => $"{n}{text} {flag}";

    internal static int Pid() => Environment.ProcessId;

    internal static int PidAfter(double seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return Environment.ProcessId;
    }

    internal static int SleepThenDouble(double seconds, int n)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return n * 2;
    }

    internal static double SleepThenDouble2(double seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return seconds * 2;
    }

    internal static int Fail(string message) => throw new InvalidOperationException(message);

    internal static int KillSelf()
    {
        Interop.Libc.kill(Environment.ProcessId, 9);
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    internal static Func<int> Unserializable() => () => 1;

    internal static int SameInt(int n) => n;

    internal static long SameLong(long n) => n;

    internal static double SameDouble(double x) => x;

    internal static bool Not(bool flag) => !flag;

    internal static string? SameText(string? text) => text;

    internal static int Length(string? text) => text?.Length ?? -1;

    internal static string Text(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static int DoubleUnlessSeventh(int n) => n % 7 == 3 ? throw new InvalidOperationException($"no {n}") : n * 2;

    internal static int? MaybeDouble(int? n) => n * 2;

    internal static decimal Half(decimal n) => n / 2;

    internal static NotSendable Loop()
    {
        var node = new NotSendable();
        node.Self = node;
        return node;
    }

    internal static void SetMarker(string text) => s_marker = text;

    internal static string Marker() => s_marker ?? "none";

    private static string? s_marker;
}

/// <summary>A result that refers to itself: JSON cannot represent it.</summary>
internal sealed class NotSendable
{
    public NotSendable? Self { get; set; }
}
