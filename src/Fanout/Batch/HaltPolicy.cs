using System.Globalization;

namespace Fanout.Batch;

/// <summary>When a batch stops early, as GNU parallel's <c>--halt</c>: never; soon or now, after a number (or percentage) of failures or successes.</summary>
public sealed record HaltPolicy
{
    private HaltPolicy(HaltWhen when, bool onFailure, double threshold, bool percent)
    {
        When = when;
        OnFailure = onFailure;
        Threshold = threshold;
        IsPercentage = percent;
    }

    /// <summary>Never halt: run every job (the default).</summary>
    public static HaltPolicy Never { get; } = new(HaltWhen.Never, true, 0, false);

    /// <summary>Whether running jobs are let finish (soon) or killed (now).</summary>
    public HaltWhen When { get; }

    /// <summary>True to count failures, false to count successes.</summary>
    public bool OnFailure { get; }

    /// <summary>How many (or what percentage of all jobs) trigger the halt.</summary>
    public double Threshold { get; }

    /// <summary>True when <see cref="Threshold"/> is a percentage of all jobs (which are then all read before any starts, to know how many there are).</summary>
    public bool IsPercentage { get; }

    /// <summary>Parses <c>never</c>, <c>soon,fail=N</c>, <c>now,fail=N</c>, <c>soon,success=N</c>, <c>now,success=N</c>, with N or N%.</summary>
    /// <exception cref="FormatException">The text is none of those; the message shows the accepted forms.</exception>
    public static HaltPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "never")
            return Never;
        var parts = text.Split(',');
        var kv = parts.Length == 2 ? parts[1].Split('=') : [];
        var when = parts[0] switch { "soon" => HaltWhen.Soon, "now" => HaltWhen.Now, _ => (HaltWhen?)null };
        if (when is null || kv.Length != 2 || kv[0] is not ("fail" or "success"))
            throw new FormatException($"--halt '{text}' is not understood: use never, soon,fail=N, now,fail=N, soon,success=N or now,success=N (N may be a percentage such as 10%).");
        var percent = kv[1].EndsWith('%');
        if (!double.TryParse(percent ? kv[1][..^1] : kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) || threshold <= 0)
            throw new FormatException($"--halt '{text}': '{kv[1]}' is not a positive number or percentage.");
        return new HaltPolicy(when.Value, kv[0] == "fail", threshold, percent);
    }

    /// <summary>True when, with these counts, the batch must halt.</summary>
    internal bool IsReached(int failed, int succeeded, long total)
    {
        if (When == HaltWhen.Never)
            return false;
        var count = OnFailure ? failed : succeeded;
        return IsPercentage ? total > 0 && count >= Count(total) : count >= Threshold;
    }

    /// <summary>The number of jobs a percentage stands for, computed as GNU parallel computes it (all jobs × the fraction).</summary>
    internal double Count(long total) => IsPercentage ? total * (Threshold / 100) : Threshold;

    /// <inheritdoc />
    public override string ToString() => When == HaltWhen.Never
        ? "never"
        : string.Create(CultureInfo.InvariantCulture, $"{When.ToString().ToLowerInvariant()},{(OnFailure ? "fail" : "success")}={Threshold}{(IsPercentage ? "%" : "")}");
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
