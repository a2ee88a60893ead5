using System.Globalization;

namespace Fanout.Batch;

/// <summary>When a batch stops early, as GNU parallel's <c>--halt</c>: never; soon or now, after a number (or percentage) of failures, successes or finished jobs.</summary>
public sealed record HaltPolicy
{
    // GNU parallel's short forms.
    private static readonly Dictionary<string, string> ShortForms = new(StringComparer.Ordinal)
    {
        ["0"] = "never", ["1"] = "soon,fail=1", ["2"] = "now,fail=1", ["-1"] = "soon,success=1", ["-2"] = "now,success=1",
    };

    private HaltPolicy(HaltWhen when, HaltCount counts, double threshold, bool percent)
    {
        When = when;
        Counts = counts;
        Threshold = threshold;
        IsPercentage = percent;
    }

    /// <summary>Never halt: run every job (the default).</summary>
    public static HaltPolicy Never { get; } = new(HaltWhen.Never, HaltCount.Failures, 0, false);

    /// <summary>Whether running jobs are let finish (soon) or killed (now).</summary>
    public HaltWhen When { get; }

    /// <summary>Which jobs count towards <see cref="Threshold"/>: failed, succeeded, or all finished.</summary>
    public HaltCount Counts { get; }

    /// <summary>How many (or what percentage of all jobs) trigger the halt.</summary>
    public double Threshold { get; }

    /// <summary>True when <see cref="Threshold"/> is a percentage of all jobs (which are then all read before any starts, to know how many there are).</summary>
    public bool IsPercentage { get; }

    /// <summary>
    /// Parses <c>never</c>, <c>soon,fail=N</c>, <c>now,fail=N</c>, <c>soon,success=N</c>,
    /// <c>now,success=N</c>, <c>soon,done=N</c>, <c>now,done=N</c>, with N or N%; and GNU parallel's
    /// short forms <c>0</c>, <c>1</c>, <c>2</c>, <c>-1</c>, <c>-2</c> and <c>N%</c> (soon,fail=N%).
    /// </summary>
    /// <exception cref="FormatException">The text is none of those; the message shows the accepted forms.</exception>
    public static HaltPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var full = ShortForms.GetValueOrDefault(text) ?? (text.EndsWith('%') && text.Length > 1 && text[..^1].All(char.IsAsciiDigit) ? "soon,fail=" + text : text);
        if (full == "never")
            return Never;
        var parts = full.Split(',');
        var kv = parts.Length == 2 ? parts[1].Split('=') : [];
        var when = parts[0] switch { "soon" => HaltWhen.Soon, "now" => HaltWhen.Now, _ => (HaltWhen?)null };
        var counts = kv.Length == 2 ? kv[0] switch { "fail" => HaltCount.Failures, "success" => HaltCount.Successes, "done" => HaltCount.Finished, _ => (HaltCount?)null } : null;
        if (when is null || counts is null)
            throw new FormatException($"--halt '{text}' is not understood: use never, soon or now with fail=N, success=N or done=N (such as now,fail=1; N may be a percentage such as 10%), or GNU parallel's 0, 1, 2, -1, -2.");
        var percent = kv[1].EndsWith('%');
        if (!double.TryParse(percent ? kv[1][..^1] : kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) || threshold <= 0)
            throw new FormatException($"--halt '{text}': '{kv[1]}' is not a positive number or percentage.");
        return new HaltPolicy(when.Value, counts.Value, threshold, percent);
    }

    /// <summary>True when, with these counts, the batch must halt.</summary>
    internal bool IsReached(int failed, int succeeded, long total)
    {
        if (When == HaltWhen.Never)
            return false;
        var count = Counts switch { HaltCount.Failures => failed, HaltCount.Successes => succeeded, _ => failed + succeeded };
        return IsPercentage ? total > 0 && count >= Count(total) : count >= Threshold;
    }

    /// <summary>The number of jobs a percentage stands for, computed as GNU parallel computes it (all jobs × the fraction).</summary>
    internal double Count(long total) => IsPercentage ? total * (Threshold / 100) : Threshold;

    /// <inheritdoc />
    public override string ToString() => When == HaltWhen.Never
        ? "never"
        : string.Create(CultureInfo.InvariantCulture, $"{When.ToString().ToLowerInvariant()},{Counts switch { HaltCount.Failures => "fail", HaltCount.Successes => "success", _ => "done" }}={Threshold}{(IsPercentage ? "%" : "")}");
}

/// <summary>Which finished jobs a <see cref="HaltPolicy"/> counts.</summary>
public enum HaltCount
{
    /// <summary>Jobs that failed (GNU parallel's <c>fail=</c>).</summary>
    Failures,

    /// <summary>Jobs that succeeded (<c>success=</c>).</summary>
    Successes,

    /// <summary>Every finished job, failed or not (<c>done=</c>).</summary>
    Finished,
}

/// <summary>How a halt treats jobs still running.</summary>
public enum HaltWhen
{
    /// <summary>No halt.</summary>
    Never,

    /// <summary>Start no new job; let running ones finish.</summary>
    Soon,

    /// <summary>Start no new job and stop the running ones.</summary>
    Now,
}
