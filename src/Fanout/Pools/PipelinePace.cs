using System.Diagnostics;

namespace Fanout;

/// <summary>
/// How deep one worker's pipeline may be: enough queued jobs to cover about
/// <see cref="QueuedWork"/> of its work, judged from how fast it has been answering. Tiny calls get
/// a deep pipeline (many per write and per read, few wake-ups); long calls get
/// <see cref="MinDepth"/>, so no job waits behind a slow one while another worker idles.
/// </summary>
internal sealed class PipelinePace
{
    internal const int MinDepth = 2;

    internal const int MaxDepth = 256;

    /// <summary>How much of a worker's work may wait in its pipeline.</summary>
    private static readonly long QueuedWork = Stopwatch.Frequency / 500; // 2 ms

    private long _lastReply;
    private long _averageTicks = -1; // Unknown until the first reply: the calls may be slow.

    /// <summary>Jobs this worker may have in flight while every worker has work.</summary>
    internal int Depth => _averageTicks < 0 ? MinDepth : (int)Math.Clamp(QueuedWork / Math.Max(_averageTicks, 1), MinDepth, MaxDepth);

    /// <summary>A reply came for a job sent at <paramref name="sentAt"/>: its time in the worker is measured from then or from the previous reply, whichever is later.</summary>
    internal void Replied(long sentAt)
    {
        var now = Stopwatch.GetTimestamp();
        var took = now - Math.Max(sentAt, _lastReply);
        _lastReply = now;
        // A moving average over about eight replies: one slow call shrinks the pipeline quickly.
        _averageTicks = _averageTicks < 0 ? took : _averageTicks + ((took - _averageTicks) / 8);
    }
}
