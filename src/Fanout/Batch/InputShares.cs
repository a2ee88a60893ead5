namespace Fanout.Batch;

/// <summary>
/// The shares of the jobs that read one stream (<see cref="RoundRobinInput"/>,
/// <see cref="ShardedInput"/>), and the signal that stops handing them out.
/// </summary>
internal sealed class InputShares : IDisposable
{
    private readonly List<InputShare> _shares = [];
    private readonly CancellationTokenSource _stopped = new();
    private int _handedOut;

    /// <summary>Cancelled once the shares are disposed: whoever hands chunks out stops waiting.</summary>
    internal CancellationToken Stopping => _stopped.Token;

    internal int Count => _shares.Count;

    /// <summary>The share of job <paramref name="index"/> (from 0); all are added before chunks are handed out.</summary>
    internal InputShare this[int index] => _shares[index];

    /// <summary>Marks the jobs as handed out: the input is read as it is shared, so it can be only once.</summary>
    /// <exception cref="InvalidOperationException">They were handed out before.</exception>
    internal void HandOutOnce(string owner)
    {
        if (Interlocked.Exchange(ref _handedOut, 1) != 0)
            throw new InvalidOperationException($"The jobs of a {owner} can be enumerated once: its input is read as it is shared out.");
    }

    /// <summary>A new job's share, holding up to <paramref name="capacity"/> chunks while the job is busy.</summary>
    internal InputShare Add(int capacity)
    {
        var share = new InputShare(capacity);
        lock (_shares)
            _shares.Add(share);
        return share;
    }

    /// <summary>Closes every share: each job gets the end of its input once it has taken what is queued.</summary>
    internal void CompleteAll()
    {
        lock (_shares)
        {
            foreach (var share in _shares)
                share.Queue.Writer.TryComplete();
        }
    }

    /// <summary>Stops handing out and closes every share.</summary>
    public void Dispose()
    {
        _stopped.Cancel();
        CompleteAll();
    }
}
