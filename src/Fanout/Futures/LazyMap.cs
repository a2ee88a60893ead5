using System.Collections.Concurrent;

namespace Fanout;

/// <summary>
/// The lazy map behind the executors' and the pool's map functions: inputs are cut into chunks,
/// at most <c>window</c> chunks are in flight, and results come back in input order
/// (<see cref="Ordered"/>) or as chunks finish (<see cref="Unordered"/>). The first window is
/// submitted at once, before the caller iterates; the rest as results are consumed, so an endless
/// input never fills memory. Leaving early cancels what has not started.
/// </summary>
internal static class LazyMap
{
    internal static IEnumerable<TResult> Ordered<T, TResult>(
        IEnumerable<T> inputs, int chunkSize, int window, Func<T[], Future<TResult[]>> submit, TimeSpan? timeout)
    {
        var deadline = Deadline(timeout);
        var (source, inFlight, fill) = Start(inputs, chunkSize, window, submit, f => f);
        return Drain();

        IEnumerable<TResult> Drain()
        {
            try
            {
                while (inFlight.TryDequeue(out var chunk))
                {
                    var results = Wait(chunk, deadline, timeout);
                    fill();
                    foreach (var result in results)
                        yield return result;
                }
            }
            finally
            {
                foreach (var left in inFlight)
                    left.Cancel();
                source.Dispose();
            }
        }
    }

    internal static IEnumerable<TResult> Unordered<T, TResult>(
        IEnumerable<T> inputs, int chunkSize, int window, Func<T[], Future<TResult[]>> submit, TimeSpan? timeout)
    {
        var deadline = Deadline(timeout);
        var completed = new BlockingCollection<Future<TResult[]>>();
        var (source, inFlight, fill) = Start(inputs, chunkSize, window, submit, f =>
        {
            f.AddDoneCallback(done => completed.Add(done));
            return f;
        });
        return Drain();

        IEnumerable<TResult> Drain()
        {
            try
            {
                // inFlight counts submitted chunks not yet taken from `completed`.
                while (inFlight.Count > 0)
                {
                    if (!completed.TryTake(out var chunk, Futures.Remaining(deadline) ?? Timeout.InfiniteTimeSpan))
                        throw new FutureTimeoutException("The map's next result", timeout!.Value);
                    inFlight.Dequeue();
                    var results = Wait(chunk, deadline, timeout);
                    fill();
                    foreach (var result in results)
                        yield return result;
                }
            }
            finally
            {
                foreach (var left in inFlight)
                    left.Cancel();
                source.Dispose();
                // `completed` stays undisposed: callbacks of chunks still running may add to it.
            }
        }
    }

    private static (IEnumerator<T> Source, Queue<Future<TResult[]>> InFlight, Action Fill) Start<T, TResult>(
        IEnumerable<T> inputs, int chunkSize, int window, Func<T[], Future<TResult[]>> submit, Func<Future<TResult[]>, Future<TResult[]>> track)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var source = inputs.GetEnumerator();
        var inFlight = new Queue<Future<TResult[]>>();
        var exhausted = false;
        void Fill()
        {
            while (!exhausted && inFlight.Count < window)
            {
                var chunk = new List<T>(chunkSize);
                while (chunk.Count < chunkSize && source.MoveNext())
                    chunk.Add(source.Current);
                exhausted = chunk.Count < chunkSize;
                if (chunk.Count > 0)
                    inFlight.Enqueue(track(submit([.. chunk])));
            }
        }

        try
        {
            Fill();
        }
        catch
        {
            foreach (var f in inFlight)
                f.Cancel();
            source.Dispose();
            throw;
        }

        return (source, inFlight, Fill);
    }

    private static TResult[] Wait<TResult>(Future<TResult[]> chunk, DateTime? deadline, TimeSpan? timeout)
    {
        try
        {
            return chunk.Result(Futures.Remaining(deadline));
        }
        catch (FutureTimeoutException)
        {
            throw new FutureTimeoutException("The map's next result", timeout!.Value);
        }
    }

    private static DateTime? Deadline(TimeSpan? timeout) => timeout is { } t ? DateTime.UtcNow + t : null;
}
