using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Fanout;

/// <summary>
/// Runs calls on a pool of threads of its own (Python's <c>ThreadPoolExecutor</c>): for I/O-bound
/// work such as downloads. Threads start as work arrives, up to <see cref="MaxWorkers"/>, and stay
/// until shutdown.
/// <para>
/// Concurrency: <c>_gate</c> guards the queue, the thread counts and the shutdown flag; idle
/// threads wait on it (<see cref="Monitor.Wait(object)"/>) and a submit pulses one. A thread takes
/// an item under the lock and runs it outside; the item moves its future to running first and
/// skips the call when the future was cancelled.
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var executor = new ThreadPoolExecutor(maxWorkers: 5);
/// var futures = urls.Select(url => executor.Submit(Download, url)).ToList();
/// foreach (var done in Futures.AsCompleted(futures))
///     Console.WriteLine(done.Result().Length);
/// </code>
/// </example>
public sealed class ThreadPoolExecutor : IExecutor
{
    private readonly object _gate = new();
    private readonly Queue<(Future Future, Action Run)> _queue = new();
    private readonly List<Thread> _threads = [];
    private readonly Action? _initializer;
    private int _idle;
    private bool _shutdown;
    private Exception? _broken;

    /// <summary>Creates the executor; no thread starts before the first call.</summary>
    /// <param name="maxWorkers">The most threads; by default min(32, processors + 4), as in Python.</param>
    /// <param name="initializer">Runs first on each new thread; if it throws, the executor is broken and every pending call fails.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, Action? initializer = null)
    {
        MaxWorkers = maxWorkers ?? Math.Min(32, Environment.ProcessorCount + 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWorkers, 1, nameof(maxWorkers));
        _initializer = initializer;
    }

    /// <summary>The most threads this executor runs.</summary>
    public int MaxWorkers { get; }

    /// <inheritdoc />
    public Future<TResult> Submit<TResult>(Delegate fn, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(args);
        var future = new Future<TResult>();
        Enqueue(future, () =>
        {
            if (!future.TrySetRunning())
                return;
            TResult value;
            try
            {
                value = (TResult)Invoke(fn, args)!;
            }
#pragma warning disable CA1031 // The call's exception belongs to its future.
            catch (Exception e)
#pragma warning restore CA1031
            {
                future.TrySetException(e);
                return;
            }

            future.TrySetResult(value);
        });
        return future;
    }

    /// <inheritdoc />
    public IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ThrowIfShutDown();
        // Threads share memory: chunks would only delay results, so every input is its own call.
        return LazyMap.Ordered(inputs, 1, MaxWorkers * 2, chunk => Submit<TResult[]>(static (Func<T, TResult> f, T x) => new[] { f(x) }, fn, chunk[0]), timeout);
    }

    /// <inheritdoc />
    public IEnumerable<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Map<(T1, T2), TResult>(pair => fn(pair.Item1, pair.Item2), inputs1.Zip(inputs2), timeout, chunkSize);
    }

    /// <inheritdoc />
    public IEnumerable<TResult> Map<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, IEnumerable<T3> inputs3, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Map<(T1, T2, T3), TResult>(triple => fn(triple.Item1, triple.Item2, triple.Item3), inputs1.Zip(inputs2, inputs3), timeout, chunkSize);
    }

    /// <inheritdoc />
    public void Shutdown(bool wait = true, bool cancelPending = false)
    {
        List<Future> cancelled = [];
        Thread[] threads;
        lock (_gate)
        {
            _shutdown = true;
            if (cancelPending)
            {
                while (_queue.TryDequeue(out var item))
                    cancelled.Add(item.Future);
            }

            Monitor.PulseAll(_gate);
            threads = [.. _threads];
        }

        foreach (var future in cancelled)
            future.Cancel();
        if (!wait)
            return;
        foreach (var thread in threads.Where(t => t != Thread.CurrentThread))
            thread.Join();
    }

    /// <summary>Shuts down and waits for every call (Python's <c>with</c> block end).</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts down and waits for every call without blocking the caller's thread.</summary>
    public ValueTask DisposeAsync() => new(Task.Run(() => Shutdown(wait: true)));

    private static object? Invoke(Delegate fn, object?[] args)
    {
        try
        {
            return fn.DynamicInvoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    private void Enqueue(Future future, Action run)
    {
        lock (_gate)
        {
            ThrowIfShutDown();
            if (_broken is { } broken)
                throw new InvalidOperationException("This ThreadPoolExecutor is broken: its initializer threw. Create a new executor.", broken);
            _queue.Enqueue((future, run));
            if (_idle > 0)
            {
                Monitor.Pulse(_gate);
                return;
            }

            if (_threads.Count < MaxWorkers)
            {
                var thread = new Thread(Work) { IsBackground = true, Name = $"ThreadPoolExecutor-{_threads.Count}" };
                _threads.Add(thread);
                thread.Start();
            }
        }
    }

    private void ThrowIfShutDown()
    {
        if (Volatile.Read(ref _shutdown))
            throw new InvalidOperationException("Cannot schedule new calls after shutdown: this ThreadPoolExecutor was shut down (Shutdown() or Dispose()). Create a new executor.");
    }

    private void Work()
    {
        if (_initializer is not null && !Initialize())
            return;
        while (true)
        {
            Action run;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_shutdown)
                {
                    _idle++;
                    Monitor.Wait(_gate);
                    _idle--;
                }

                if (!_queue.TryDequeue(out var item))
                    return;
                run = item.Run;
            }

            run();
        }
    }

    private bool Initialize()
    {
        try
        {
            _initializer!();
            return true;
        }
#pragma warning disable CA1031 // The failure breaks the executor; the pending calls report it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            List<Future> failed = [];
            lock (_gate)
            {
                _broken = e;
                while (_queue.TryDequeue(out var item))
                    failed.Add(item.Future);
                Monitor.PulseAll(_gate);
            }

            var error = new FanoutException("The ThreadPoolExecutor's initializer threw, so the executor is broken.", e);
            foreach (var future in failed)
                future.TrySetException(error);
            return false;
        }
    }
}
