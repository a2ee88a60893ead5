using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// A pool of worker processes (Python's <c>multiprocessing.Pool</c>): <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?)"/>,
/// <see cref="Imap{T, TResult}(Func{T, TResult}, IEnumerable{T}, int)"/>, <see cref="ImapUnordered"/>, <see cref="Starmap"/>, <c>Apply</c> and
/// <c>ApplyAsync</c>, with chunks that amortize the round trip for small calls. The workers start
/// at once and live until the pool is closed or terminated.
/// <para>
/// Unlike Python's, this pool never hangs: a worker that dies fails only its own chunk (with a
/// <see cref="WorkerLostException"/>) and is replaced; a per-task timeout kills a stuck worker; and
/// disposal, Ctrl-C or this process's death leave no worker behind.
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var pool = new Pool(4);
/// Console.WriteLine(string.Join(", ", pool.Map(Square, [1, 2, 3])));   // 1, 4, 9
/// var result = pool.ApplyAsync(Slow, 1.0);
/// Console.WriteLine(result.Get(TimeSpan.FromSeconds(5)));
/// </code>
/// </example>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
public sealed class Pool : IDisposable, IAsyncDisposable
{
    private readonly ProcessPoolEngine _engine;
    private int _state; // 0 running, 1 closed, 2 terminated

    /// <summary>Creates the pool and starts its workers.</summary>
    /// <param name="processes">How many worker processes; by default one per processor.</param>
    /// <param name="initializer">Runs first in every worker (a static method or a lambda that captures nothing); if it throws, the pool is broken and the waiting calls fail.</param>
    /// <param name="initArgs">The initializer's arguments.</param>
    /// <param name="maxTasksPerChild">Chunks a worker runs before a fresh one replaces it; null for no limit.</param>
    /// <param name="taskTimeout">How long one chunk may run before its worker is killed and replaced (the chunk fails with <see cref="TaskTimeoutException"/>); null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or the timeout is not positive.</exception>
    /// <exception cref="ArgumentException">The initializer or its arguments cannot be sent to a worker.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "A trimmed or native application sends only values that need no reflection; others are refused with a message (WorkerSerializer.TrimmedApplication).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "A native application's workers are the application itself; its pools run targets through reflection invokers, which NativeAOT keeps for delegate targets.")]
    public Pool(int? processes = null, Delegate? initializer = null, object?[]? initArgs = null, int? maxTasksPerChild = null, TimeSpan? taskTimeout = null)
    {
        _engine = new ProcessPoolEngine(nameof(Pool), processes ?? Environment.ProcessorCount, initializer, initArgs ?? [], maxTasksPerChild, taskTimeout);
    }

    /// <summary>How many worker processes the pool runs.</summary>
    public int Processes => _engine.Processes;

    /// <summary>The pids of the live workers.</summary>
    public IReadOnlyList<int> WorkerPids => _engine.WorkerPids;

    /// <summary>
    /// Calls <paramref name="fn"/> on every input in the workers and returns the results in input
    /// order, blocking until all are done (Python's <c>map</c>). The inputs are sent in chunks;
    /// by default about four chunks per worker, as Python chooses.
    /// </summary>
    /// <param name="fn">A static method or a lambda that captures nothing.</param>
    /// <param name="inputs">The inputs (read at once).</param>
    /// <param name="chunkSize">Inputs per message; null chooses automatically.</param>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    /// <exception cref="Exception">The first failing call's exception (a <see cref="RemoteException"/>, …).</exception>
    public List<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return MapNow<T, TResult>(fn, inputs, chunkSize, x => [x]);
    }

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?)"/> for a method that returns nothing: a list of nulls, as Python's <c>[None, None, None]</c>.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public List<object?> Map<T>(Action<T> fn, IEnumerable<T> inputs, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return MapNow<T, object?>(fn, inputs, chunkSize, x => [x]);
    }

    /// <summary>Python's <c>map_async</c>: returns at once; the list of results arrives in the <see cref="AsyncResult{T}"/> (and its callback).</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public AsyncResult<List<TResult>> MapAsync<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, int? chunkSize = null, Action<List<TResult>>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return MapCore<T, TResult>(fn, inputs, chunkSize, x => [x], callback, errorCallback);
    }

    /// <summary>
    /// Calls <paramref name="fn"/> on pairs taken from two sequences in step, as Python's built-in
    /// <c>map(fn, a, b)</c> does, and returns the results in input order; it stops at the end of
    /// the shorter sequence. Chunk size as in the one-sequence <c>Map</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    /// <exception cref="Exception">The first failing call's exception (a <see cref="RemoteException"/>, …).</exception>
    public List<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(inputs1);
        ArgumentNullException.ThrowIfNull(inputs2);
        return MapNow<(T1, T2), TResult>(fn, inputs1.Zip(inputs2), chunkSize, x => [x.Item1, x.Item2]);
    }

    /// <summary>Calls <paramref name="fn"/> on triples taken from three sequences in step (Python's <c>map(fn, a, b, c)</c>); it stops at the end of the shortest.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    /// <exception cref="Exception">The first failing call's exception (a <see cref="RemoteException"/>, …).</exception>
    public List<TResult> Map<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, IEnumerable<T3> inputs3, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(inputs1);
        ArgumentNullException.ThrowIfNull(inputs2);
        ArgumentNullException.ThrowIfNull(inputs3);
        return MapNow<(T1, T2, T3), TResult>(fn, inputs1.Zip(inputs2, inputs3), chunkSize, x => [x.Item1, x.Item2, x.Item3]);
    }

    /// <summary>The results of <paramref name="fn"/> on pairs from two sequences in step, one by one in input order, reading the inputs lazily (Python's <c>imap</c> over <c>zip(a, b)</c>).</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public IEnumerable<TResult> Imap<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(inputs1);
        ArgumentNullException.ThrowIfNull(inputs2);
        _engine.ThrowIfClosed();
        return LazyMap.Ordered(inputs1.Zip(inputs2), chunkSize, ProcessPoolEngine.MapWindow(Processes, chunkSize),
            _engine.ChunkSubmitter<(T1, T2), TResult>(fn, x => [x.Item1, x.Item2]), null);
    }

    /// <summary>Calls <paramref name="fn"/> on every pair of arguments (Python's <c>starmap</c>); results in input order.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public List<TResult> Starmap<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<(T1, T2)> inputs, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return MapNow<(T1, T2), TResult>(fn, inputs, chunkSize, x => [x.Item1, x.Item2]);
    }

    /// <summary>
    /// The results one by one, in input order, as they become available (Python's <c>imap</c>).
    /// Unlike Python's, the inputs are read lazily, with a bounded number of chunks in flight, so an
    /// endless input works.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public IEnumerable<TResult> Imap<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        _engine.ThrowIfClosed();
        return LazyMap.Ordered(inputs, chunkSize, ProcessPoolEngine.MapWindow(Processes, chunkSize), _engine.ChunkSubmitter<T, TResult>(fn, x => [x]), null);
    }

    /// <summary>The results in the order they finish (Python's <c>imap_unordered</c>), reading the inputs lazily.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public IEnumerable<TResult> ImapUnordered<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        _engine.ThrowIfClosed();
        return LazyMap.Unordered(inputs, chunkSize, ProcessPoolEngine.MapWindow(Processes, chunkSize), _engine.ChunkSubmitter<T, TResult>(fn, x => [x]), null);
    }

    /// <summary>Runs <paramref name="fn"/>() in a worker and blocks until its result (Python's <c>apply</c>).</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public TResult Apply<TResult>(Func<TResult> fn) => ApplyAsync(fn).Get();

    /// <summary>Runs <paramref name="fn"/>(<paramref name="arg1"/>) in a worker and blocks until its result (Python's <c>apply</c>).</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public TResult Apply<T1, TResult>(Func<T1, TResult> fn, T1 arg1) => ApplyAsync(fn, arg1).Get();

    /// <summary>Runs <paramref name="fn"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) in a worker and blocks until its result.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public TResult Apply<T1, T2, TResult>(Func<T1, T2, TResult> fn, T1 arg1, T2 arg2) => ApplyAsync(fn, arg1, arg2).Get();

    /// <summary>Schedules <paramref name="fn"/>() in a worker (Python's <c>apply_async</c>).</summary>
    /// <param name="fn">A static method or a lambda that captures nothing.</param>
    /// <param name="callback">Receives the value when the call returns (on a pool thread: keep it short).</param>
    /// <param name="errorCallback">Receives the exception when the call fails.</param>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public AsyncResult<TResult> ApplyAsync<TResult>(Func<TResult> fn, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore(fn, [], callback, errorCallback);

    /// <summary>Schedules <paramref name="fn"/>(<paramref name="arg1"/>) in a worker (Python's <c>apply_async</c>).</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, TResult>(Func<T1, TResult> fn, T1 arg1, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore(fn, [arg1], callback, errorCallback);

    /// <summary>Schedules <paramref name="fn"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) in a worker.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed.</exception>
    public AsyncResult<TResult> ApplyAsync<T1, T2, TResult>(Func<T1, T2, TResult> fn, T1 arg1, T2 arg2, Action<TResult>? callback = null, Action<Exception>? errorCallback = null) =>
        ApplyCore(fn, [arg1, arg2], callback, errorCallback);

    /// <summary>Accepts no more work; what is queued still runs, then the workers exit (Python's <c>close()</c>).</summary>
    public void Close()
    {
        Interlocked.CompareExchange(ref _state, 1, 0);
        _engine.Close();
    }

    /// <summary>Kills the workers now (Python's <c>terminate()</c>): queued calls are cancelled, running ones end cancelled.</summary>
    public void Terminate()
    {
        Volatile.Write(ref _state, 2);
        _engine.Terminate();
    }

    /// <summary>Waits for the workers to exit (Python's <c>join()</c>), after <see cref="Close"/> or <see cref="Terminate"/>.</summary>
    /// <exception cref="InvalidOperationException">The pool is still running.</exception>
    public void Join() => JoinAsync().GetAwaiter().GetResult();

    /// <summary>Waits up to <paramref name="timeout"/> for the workers to exit; true if they did.</summary>
    /// <exception cref="InvalidOperationException">The pool is still running.</exception>
    public bool Join(TimeSpan timeout)
    {
        ThrowIfRunning();
        return _engine.Completion.Wait(timeout);
    }

    /// <summary>Waits for the workers to exit. Cancelling stops the wait only.</summary>
    /// <exception cref="InvalidOperationException">The pool is still running.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfRunning();
        return _engine.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Closes the pool and waits for its work and workers. (Python's <c>with Pool()</c> terminates
    /// instead; here queued work is never lost — call <see cref="Terminate"/> for Python's behaviour.)
    /// </summary>
    public void Dispose()
    {
        Close();
        _engine.Completion.GetAwaiter().GetResult();
    }

    /// <summary>Closes the pool and waits for its work and workers without blocking the caller's thread.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        await _engine.Completion.ConfigureAwait(false);
    }

    private AsyncResult<TResult> ApplyCore<TResult>(Delegate fn, object?[] args, Action<TResult>? callback, Action<Exception>? errorCallback)
    {
        ArgumentNullException.ThrowIfNull(fn);
        _engine.ThrowIfClosed();
        using var items = PoolItems.Rent();
        var target = _engine.Target(fn, args, items);
        return new AsyncResult<TResult>(_engine.SubmitOne<TResult>(target, items), callback, errorCallback);
    }

    /// <summary>
    /// A blocking map: the same chunks and results as <see cref="MapCore"/>, but with a bounded
    /// window of chunks in flight (as <see cref="Imap{T, TResult}(Func{T, TResult}, IEnumerable{T}, int)"/>)
    /// rather than every chunk queued at once. Many small chunks then cost far less: few jobs are
    /// alive at a time, so the garbage collector has little to keep. The first failing chunk in
    /// input order throws; chunks that have not started by then are cancelled.
    /// </summary>
    private List<TResult> MapNow<T, TResult>(Delegate fn, IEnumerable<T> inputs, int? chunkSize, Func<T, object?[]> arguments)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        _engine.ThrowIfClosed();
        var all = inputs.ToList();
        var size = chunkSize ?? AutomaticChunkSize(all.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(chunkSize));
        var results = new List<TResult>(all.Count);
        results.AddRange(LazyMap.Ordered(all, size, ProcessPoolEngine.MapWindow(Processes, size), _engine.ChunkSubmitter<T, TResult>(fn, arguments), null));
        return results;
    }

    /// <summary>Submits every chunk now and gathers their values into one list, in input order.</summary>
    private AsyncResult<List<TResult>> MapCore<T, TResult>(Delegate fn, IEnumerable<T> inputs, int? chunkSize, Func<T, object?[]> arguments, Action<List<TResult>>? callback, Action<Exception>? errorCallback)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        _engine.ThrowIfClosed();
        var all = inputs.ToList();
        var size = chunkSize ?? AutomaticChunkSize(all.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(chunkSize));
        var submit = _engine.ChunkSubmitter<T, TResult>(fn, arguments);
        var chunks = all.Chunk(size).Select(submit).ToList();
        var gathered = new Future<List<TResult>>();
        gathered.TrySetRunning();
        var left = chunks.Count;
        if (left == 0)
            gathered.TrySetResult([]);
        foreach (var chunk in chunks)
        {
            chunk.AddDoneCallback(_ =>
            {
                if (Interlocked.Decrement(ref left) == 0)
                    Gather(chunks, all.Count, gathered);
            });
        }

        return new AsyncResult<List<TResult>>(gathered, callback, errorCallback);
    }

    private static void Gather<TResult>(List<Future<TResult[]>> chunks, int count, Future<List<TResult>> gathered)
    {
        var results = new List<TResult>(count);
        foreach (var chunk in chunks)
        {
            if (chunk.IsCancelled)
            {
                gathered.TrySetException(new OperationCanceledException("A chunk of the map was cancelled (the pool was terminated)."));
                return;
            }

            if (chunk.Exception() is { } error)
            {
                gathered.TrySetException(error);
                return;
            }

            results.AddRange(chunk.Result());
        }

        gathered.TrySetResult(results);
    }

    /// <summary>Python's choice: the inputs divided among four chunks per worker, rounded up.</summary>
    internal static int AutomaticChunkSize(int count, int processes) => Math.Max(1, (count + (processes * 4) - 1) / (processes * 4));

    private int AutomaticChunkSize(int count) => AutomaticChunkSize(count, Processes);

    private void ThrowIfRunning()
    {
        if (Volatile.Read(ref _state) == 0)
            throw new InvalidOperationException("The pool is still running; call Close() or Terminate() before Join().");
    }
}
