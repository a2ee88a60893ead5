namespace Fanout;

/// <summary>
/// Runs calls asynchronously and hands back <see cref="Future{T}"/>s (Python's
/// <c>concurrent.futures.Executor</c>): <see cref="ThreadPoolExecutor"/> for I/O-bound work,
/// <see cref="ProcessPoolExecutor"/> for CPU-bound work, <see cref="SlurmExecutor"/> for work
/// that needs a cluster, with the same interface. Typed
/// <c>Submit</c> overloads (<c>executor.Submit(Fetch, url)</c>) are in <see cref="ExecutorExtensions"/>.
/// Disposing shuts the executor down and waits for its work.
/// </summary>
public interface IExecutor : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// Schedules <paramref name="fn"/>(<paramref name="args"/>) and returns its future at once
    /// (Python's <c>submit(fn, *args)</c>). Prefer the typed overloads of <see cref="ExecutorExtensions"/>.
    /// </summary>
    /// <typeparam name="TResult">What <paramref name="fn"/> returns (<see cref="object"/> for a <c>void</c> method, whose result is null).</typeparam>
    /// <param name="fn">The method to call. A process pool needs a static method or a lambda that captures nothing.</param>
    /// <param name="args">Its arguments.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="ArgumentException">A process pool cannot send <paramref name="fn"/> or an argument to a worker; the message says why.</exception>
    Future<TResult> Submit<TResult>(Delegate fn, params object?[] args);

    /// <summary>
    /// Calls <paramref name="fn"/> on every input, in parallel, and yields the results in input
    /// order (Python's <c>map(fn, iterable, timeout, chunksize)</c>). The first calls are scheduled
    /// at once; the inputs are read lazily, with a bounded number of calls in flight, so an endless
    /// input is fine. Leaving the loop early cancels the calls that have not started.
    /// </summary>
    /// <param name="fn">The function. A process pool needs a static method or a lambda that captures nothing.</param>
    /// <param name="inputs">The inputs, read as the results are consumed.</param>
    /// <param name="timeout">The time, from this call, by which each result must be ready; null waits as long as it takes.</param>
    /// <param name="chunkSize">Inputs sent to a worker process in one message; a thread pool ignores it.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="FutureTimeoutException">A result was not ready in time (thrown while iterating).</exception>
    IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, TimeSpan? timeout = null, int chunkSize = 1);

    /// <summary>
    /// Calls <paramref name="fn"/> on pairs taken from two sequences in step, and yields the results
    /// in input order (Python's <c>map(fn, iterable1, iterable2)</c>): it stops at the end of the
    /// shorter sequence. Lazy and bounded like the one-sequence <c>Map</c>.
    /// </summary>
    /// <param name="fn">The function. A process pool needs a static method or a lambda that captures nothing.</param>
    /// <param name="inputs1">The first arguments.</param>
    /// <param name="inputs2">The second arguments.</param>
    /// <param name="timeout">The time, from this call, by which each result must be ready; null waits as long as it takes.</param>
    /// <param name="chunkSize">Calls sent to a worker process in one message; a thread pool ignores it.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="FutureTimeoutException">A result was not ready in time (thrown while iterating).</exception>
    /// <example><c>executor.Map(Math.Pow, bases, exponents)</c></example>
    IEnumerable<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, TimeSpan? timeout = null, int chunkSize = 1)
    {
        // For executors that run delegates in this process; process pools send both arguments instead.
        ArgumentNullException.ThrowIfNull(fn);
        return Map<(T1, T2), TResult>(pair => fn(pair.Item1, pair.Item2), inputs1.Zip(inputs2), timeout, chunkSize);
    }

    /// <summary>
    /// Calls <paramref name="fn"/> on triples taken from three sequences in step (Python's
    /// <c>map(fn, a, b, c)</c>), in input order; it stops at the end of the shortest.
    /// </summary>
    /// <param name="fn">The function. A process pool needs a static method or a lambda that captures nothing.</param>
    /// <param name="inputs1">The first arguments.</param>
    /// <param name="inputs2">The second arguments.</param>
    /// <param name="inputs3">The third arguments.</param>
    /// <param name="timeout">The time, from this call, by which each result must be ready; null waits as long as it takes.</param>
    /// <param name="chunkSize">Calls sent to a worker process in one message; a thread pool ignores it.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="FutureTimeoutException">A result was not ready in time (thrown while iterating).</exception>
    IEnumerable<TResult> Map<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, IEnumerable<T3> inputs3, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Map<(T1, T2, T3), TResult>(triple => fn(triple.Item1, triple.Item2, triple.Item3), inputs1.Zip(inputs2, inputs3), timeout, chunkSize);
    }

    /// <summary>
    /// Stops accepting work (Python's <c>shutdown(wait, cancel_futures)</c>). Idempotent.
    /// </summary>
    /// <param name="wait">Waits until the running and pending calls are done and the workers have exited.</param>
    /// <param name="cancelPending">Cancels the calls that have not started.</param>
    void Shutdown(bool wait = true, bool cancelPending = false);
}
