using System.Globalization;

namespace Fanout.Batch;

/// <summary>A batch's time limit per job: a fixed time, or a percentage of the median runtime of the jobs that succeeded so far (GNU parallel's <c>--timeout 200%</c>).</summary>
public sealed record TimeoutPolicy
{
    /// <summary>How many successes are needed before a percentage limit applies.</summary>
    public const int MinimumSamples = 3;

    private TimeoutPolicy(TimeSpan? fixedLimit, double? percentOfMedian)
    {
        Fixed = fixedLimit;
        PercentOfMedian = percentOfMedian;
    }

    /// <summary>A fixed limit, or null.</summary>
    public TimeSpan? Fixed { get; }

    /// <summary>A percentage of the median successful runtime, or null.</summary>
    public double? PercentOfMedian { get; }

    /// <summary>
    /// The longest time limit that can be armed: a cancellation timer's maximum (2³² − 2 ms, about
    /// 49.7 days). Options and manifests refuse longer ones; a longer one given through the API is not armed.
    /// </summary>
    public static readonly TimeSpan LongestLimit = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>A fixed limit.</summary>
    public static TimeoutPolicy After(TimeSpan limit) => new(limit, null);

    /// <summary>Parses seconds (<c>30</c>, <c>1.5</c>) or a percentage of the median runtime (<c>200%</c>).</summary>
    /// <exception cref="FormatException">Neither form; the message says what is accepted.</exception>
    public static TimeoutPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || !double.IsFinite(value))
            throw new FormatException($"--timeout '{text}' is not a positive number of seconds or a percentage of the median runtime (such as 200%).");
        if (!percent && value > LongestLimit.TotalSeconds)
            throw new FormatException($"--timeout '{text}' is longer than the longest time limit, {LongestLimit.TotalSeconds:0} seconds (about 49 days).");
        return percent ? new TimeoutPolicy(null, value) : new TimeoutPolicy(TimeSpan.FromSeconds(value), null);
    }

    /// <summary>The limit now, given the runtimes of the jobs that succeeded; null when none applies yet.</summary>
    internal TimeSpan? Limit(IReadOnlyList<TimeSpan> sortedSuccessfulRuntimes)
    {
        if (Fixed is { } limit)
            return limit;
        if (sortedSuccessfulRuntimes.Count < MinimumSamples)
            return null;
        var median = sortedSuccessfulRuntimes[sortedSuccessfulRuntimes.Count / 2];
        return median * (PercentOfMedian!.Value / 100);
    }

    /// <inheritdoc />
    public override string ToString() => Fixed is { } f
        ? f.TotalSeconds.ToString(CultureInfo.InvariantCulture)
        : PercentOfMedian!.Value.ToString(CultureInfo.InvariantCulture) + "%";
}
