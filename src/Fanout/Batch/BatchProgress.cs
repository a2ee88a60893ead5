namespace Fanout.Batch;

/// <summary>A snapshot of a running batch.</summary>
/// <param name="Total">Jobs known so far (all of them once the input is read to its end).</param>
/// <param name="TotalKnown">True once the input has been read to its end.</param>
/// <param name="Running">Jobs running now.</param>
/// <param name="Succeeded">Jobs that succeeded.</param>
/// <param name="Failed">Jobs that failed, timed out or could not start.</param>
/// <param name="Skipped">Jobs skipped: already done in an earlier run, or a dependency failed.</param>
/// <param name="Elapsed">Time since the batch started.</param>
public sealed record BatchProgress(long Total, bool TotalKnown, int Running, int Succeeded, int Failed, int Skipped, TimeSpan Elapsed)
{
    /// <summary>Jobs that have ended one way or another.</summary>
    public long Done => Succeeded + Failed + Skipped;

    /// <summary>Jobs ended per second so far.</summary>
    public double Throughput => Elapsed.TotalSeconds > 0 ? (Succeeded + Failed) / Elapsed.TotalSeconds : 0;

    /// <summary>The expected time to the end at the current throughput, when the total is known.</summary>
    public TimeSpan? EstimatedRemaining => TotalKnown && Throughput > 0
        ? TimeSpan.FromSeconds((Total - Done) / Throughput)
        : null;
}
