using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Fanout;

/// <summary>
/// The module functions of Python's <c>concurrent.futures</c>: <see cref="Wait(IEnumerable{Future}, TimeSpan?, ReturnWhen)"/>
/// and <see cref="AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/>, for <see cref="Future"/>s and for plain <see cref="Task"/>s.
/// </summary>
/// <example>
/// <code>
/// var futures = urls.Select(url => executor.Submit(Fetch, url)).ToList();
/// foreach (var future in Futures.AsCompleted(futures))
///     Console.WriteLine(future.Result().Length);
/// </code>
/// </example>
public static class Futures
{
    /// <summary>
    /// Waits until the futures are done as <paramref name="returnWhen"/> says, or until
    /// <paramref name="timeout"/> has passed, and returns which are done and which are not
    /// (Python's <c>wait(fs, timeout, return_when)</c>). A timeout does not throw.
    /// </summary>
    /// <param name="futures">The futures; duplicates count once.</param>
    /// <param name="timeout">How long to wait at most; null waits as long as it takes.</param>
    /// <param name="returnWhen">When to return: all done, the first done, or the first that threw.</param>
    public static (IReadOnlySet<Future> Done, IReadOnlySet<Future> NotDone) Wait(
        IEnumerable<Future> futures, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
    {
        ArgumentNullException.ThrowIfNull(futures);
        return WaitCore(futures, f => f.Done, f => f.State == FutureState.Finished && f.Exception() is not null, timeout, returnWhen);
    }

    /// <summary>
    /// The same as <see cref="Wait(IEnumerable{Future}, TimeSpan?, ReturnWhen)"/> for plain tasks:
    /// a task is done when it has completed in any way; it "threw" when it is faulted.
    /// </summary>
    /// <param name="tasks">The tasks; duplicates count once.</param>
    /// <param name="timeout">How long to wait at most; null waits as long as it takes.</param>
    /// <param name="returnWhen">When to return.</param>
    public static (IReadOnlySet<Task> Done, IReadOnlySet<Task> NotDone) Wait(
        IEnumerable<Task> tasks, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return WaitCore(tasks, t => t, t => t.IsFaulted, timeout, returnWhen);
    }

    /// <summary>
    /// The futures in the order they finish (Python's <c>as_completed(fs, timeout)</c>): those already
    /// done first, then each as it becomes done. Each future comes once.
    /// </summary>
    /// <param name="futures">The futures; duplicates count once.</param>
    /// <param name="timeout">The time, from this call, after which the rest throws; null waits as long as it takes.</param>
    /// <exception cref="FutureTimeoutException">Futures were still not done when the time was up (thrown while iterating).</exception>
    public static IEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(futures);
        return AsCompletedCore(futures, f => f.Done, timeout);
    }

    /// <summary>The tasks in the order they complete, as <see cref="AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/>.</summary>
    /// <param name="tasks">The tasks; duplicates count once.</param>
    /// <param name="timeout">The time, from this call, after which the rest throws.</param>
    /// <exception cref="FutureTimeoutException">Tasks were still not complete when the time was up.</exception>
    public static IEnumerable<TTask> AsCompletedTasks<TTask>(IEnumerable<TTask> tasks, TimeSpan? timeout = null)
        where TTask : Task
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return AsCompletedCore(tasks, t => t, timeout);
    }

    /// <summary>The futures in the order they finish, asynchronously.</summary>
    /// <param name="futures">The futures; duplicates count once.</param>
    /// <param name="timeout">The time, from this call, after which the rest throws.</param>
    /// <param name="cancellationToken">Stops the iteration (not the futures).</param>
    /// <exception cref="FutureTimeoutException">Futures were still not done when the time was up.</exception>
    public static IAsyncEnumerable<TFuture> AsCompletedAsync<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(futures);
        return AsCompletedAsyncCore(futures, f => f.Done, timeout, cancellationToken);
    }

    /// <summary>The tasks in the order they complete, asynchronously.</summary>
    /// <param name="tasks">The tasks; duplicates count once.</param>
    /// <param name="timeout">The time, from this call, after which the rest throws.</param>
    /// <param name="cancellationToken">Stops the iteration (not the tasks).</param>
    /// <exception cref="FutureTimeoutException">Tasks were still not complete when the time was up.</exception>
    public static IAsyncEnumerable<TTask> AsCompletedTasksAsync<TTask>(IEnumerable<TTask> tasks, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TTask : Task
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return AsCompletedAsyncCore(tasks, t => t, timeout, cancellationToken);
    }

    private static (IReadOnlySet<T> Done, IReadOnlySet<T> NotDone) WaitCore<T>(
        IEnumerable<T> items, Func<T, Task> doneOf, Func<T, bool> threw, TimeSpan? timeout, ReturnWhen returnWhen)
        where T : class
    {
        var all = new HashSet<T>(items, ReferenceEqualityComparer.Instance);
        var deadline = Deadline(timeout);
        while (true)
        {
            var done = new HashSet<T>(all.Where(i => doneOf(i).IsCompleted), ReferenceEqualityComparer.Instance);
            var enough = done.Count == all.Count
                || (returnWhen == ReturnWhen.FirstCompleted && done.Count > 0)
                || (returnWhen == ReturnWhen.FirstException && done.Any(threw));
            var left = Remaining(deadline);
            if (enough || left == TimeSpan.Zero)
                return (done, new HashSet<T>(all.Where(i => !done.Contains(i)), ReferenceEqualityComparer.Instance));

            var pending = all.Where(i => !done.Contains(i)).Select(doneOf);
            var next = returnWhen == ReturnWhen.AllCompleted ? Task.WhenAll(pending) : Task.WhenAny(pending);
            // WhenAny never throws; a faulted WhenAll is only a signal here.
            Task.WhenAny(next, Task.Delay(left ?? Timeout.InfiniteTimeSpan)).Wait();
        }
    }

    private static IEnumerable<T> AsCompletedCore<T>(IEnumerable<T> items, Func<T, Task> doneOf, TimeSpan? timeout)
        where T : class
    {
        var deadline = Deadline(timeout);
        var all = new HashSet<T>(items, ReferenceEqualityComparer.Instance);
        return Iterate();

        IEnumerable<T> Iterate()
        {
            // A channel, not a BlockingCollection: continuations may still write after the caller stopped iterating.
            var completed = Channel.CreateUnbounded<T>();
            foreach (var item in all)
                _ = doneOf(item).ContinueWith(_ => completed.Writer.TryWrite(item), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            for (var yielded = 0; yielded < all.Count; yielded++)
            {
                T? next;
                while (!completed.Reader.TryRead(out next))
                {
                    var left = Remaining(deadline);
                    if (!completed.Reader.WaitToReadAsync().AsTask().Wait(left ?? Timeout.InfiniteTimeSpan))
                        throw new FutureTimeoutException($"{all.Count - yielded} of {all.Count} futures", timeout!.Value);
                }

                yield return next;
            }
        }
    }

    private static async IAsyncEnumerable<T> AsCompletedAsyncCore<T>(IEnumerable<T> items, Func<T, Task> doneOf, TimeSpan? timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        var deadline = Deadline(timeout);
        var all = new HashSet<T>(items, ReferenceEqualityComparer.Instance);
        var completed = Channel.CreateUnbounded<T>();
        foreach (var item in all)
            _ = doneOf(item).ContinueWith(_ => completed.Writer.TryWrite(item), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        for (var yielded = 0; yielded < all.Count; yielded++)
        {
            using var time = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (Remaining(deadline) is { } left)
                time.CancelAfter(left);
            T next;
            try
            {
                next = await completed.Reader.ReadAsync(time.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new FutureTimeoutException($"{all.Count - yielded} of {all.Count} futures", timeout!.Value);
            }

            yield return next;
        }
    }

    private static DateTime? Deadline(TimeSpan? timeout) => timeout is { } t ? DateTime.UtcNow + (t < TimeSpan.Zero ? TimeSpan.Zero : t) : null;

    /// <summary>The time left until <paramref name="deadline"/> (never negative), or null for none.</summary>
    internal static TimeSpan? Remaining(DateTime? deadline) =>
        deadline is { } d ? (d - DateTime.UtcNow) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero : null;
}
