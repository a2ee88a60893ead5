using System.Diagnostics.CodeAnalysis;

namespace Fanout;

/// <summary>
/// Runs calls in a pool of long-lived worker processes (Python's <c>ProcessPoolExecutor</c>): for
/// CPU-bound work. Targets are static methods or lambdas that capture nothing; arguments and
/// results travel as JSON (a compact binary form for a primitive parameter and result), typed by
/// the method's signature, and are checked when you submit.
/// <para>
/// Unlike Python's, a worker that dies (killed by any signal, out of memory, <c>Environment.Exit</c>)
/// fails only the call it was running, with a <see cref="WorkerLostException"/>, and is replaced;
/// <see cref="TaskTimeout"/> kills and replaces a worker whose call runs too long;
/// <see cref="Future.CancelOrKill"/> stops a running call by killing its worker; and no worker
/// outlives this process, even when it is killed.
/// </para>
/// </summary>
/// <example>
/// <code>
/// await using var executor = new ProcessPoolExecutor(maxWorkers: 4);
/// var future = executor.Submit(IsPrime, 112272535095293L);
/// Console.WriteLine(await future);
/// foreach (var prime in executor.Map(IsPrime, numbers, chunkSize: 100)) …
/// </code>
/// </example>
public sealed class ProcessPoolExecutor : IExecutor
{
    private readonly ProcessPoolEngine _engine;

    /// <summary>Creates the executor and starts its workers.</summary>
    /// <param name="maxWorkers">How many worker processes; by default one per processor.</param>
    /// <param name="initializer">Runs first in every worker (a static method or a lambda that captures nothing); if it throws, the executor is broken and every pending call fails.</param>
    /// <param name="initArgs">The initializer's arguments.</param>
    /// <param name="maxTasksPerChild">Calls (or chunks) a worker runs before it is replaced by a fresh one; null for no limit.</param>
    /// <param name="taskTimeout">How long one call (or chunk) may run before its worker is killed and replaced and the call fails with <see cref="TaskTimeoutException"/>; null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or the timeout is not positive.</exception>
    /// <exception cref="ArgumentException">The initializer or its arguments cannot be sent to a worker.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "A trimmed or native application sends only values that need no reflection; others are refused with a message (WorkerSerializer.TrimmedApplication).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "A native application's workers are the application itself; its pools run targets through reflection invokers, which NativeAOT keeps for delegate targets.")]
    public ProcessPoolExecutor(int? maxWorkers = null, Delegate? initializer = null, object?[]? initArgs = null, int? maxTasksPerChild = null, TimeSpan? taskTimeout = null)
    {
        _engine = new ProcessPoolEngine(nameof(ProcessPoolExecutor), maxWorkers ?? Environment.ProcessorCount, initializer, initArgs ?? [], maxTasksPerChild, taskTimeout);
    }

    /// <summary>How many worker processes run calls.</summary>
    public int MaxWorkers => _engine.Processes;

    /// <summary>Calls (or chunks) a worker runs before it is replaced; null for no limit.</summary>
    public int? MaxTasksPerChild => _engine.MaxTasksPerChild;

    /// <summary>How long one call (or chunk) may run before its worker is killed; null for no limit.</summary>
    public TimeSpan? TaskTimeout => _engine.TaskTimeout;

    /// <summary>The pids of the live workers.</summary>
    public IReadOnlyList<int> WorkerPids => _engine.WorkerPids;

    /// <inheritdoc />
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    public Future<TResult> Submit<TResult>(Delegate fn, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(args);
        _engine.ThrowIfClosed();
        using var items = PoolItems.Rent();
        var target = _engine.Target(fn, args, items);
        CheckResultType<TResult>(target, fn);
        return _engine.SubmitOne<TResult>(target, items);
    }

    /// <inheritdoc />
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    public IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        _engine.ThrowIfClosed();
        return LazyMap.Ordered(inputs, chunkSize, ProcessPoolEngine.MapWindow(MaxWorkers, chunkSize), _engine.ChunkSubmitter<T, TResult>(fn, x => [x]), timeout);
    }

    /// <inheritdoc />
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    public IEnumerable<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(inputs1);
        ArgumentNullException.ThrowIfNull(inputs2);
        _engine.ThrowIfClosed();
        return LazyMap.Ordered(inputs1.Zip(inputs2), chunkSize, ProcessPoolEngine.MapWindow(MaxWorkers, chunkSize),
            _engine.ChunkSubmitter<(T1, T2), TResult>(fn, x => [x.Item1, x.Item2]), timeout);
    }

    /// <inheritdoc />
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    public IEnumerable<TResult> Map<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, IEnumerable<T1> inputs1, IEnumerable<T2> inputs2, IEnumerable<T3> inputs3, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(inputs1);
        ArgumentNullException.ThrowIfNull(inputs2);
        ArgumentNullException.ThrowIfNull(inputs3);
        _engine.ThrowIfClosed();
        return LazyMap.Ordered(inputs1.Zip(inputs2, inputs3), chunkSize, ProcessPoolEngine.MapWindow(MaxWorkers, chunkSize),
            _engine.ChunkSubmitter<(T1, T2, T3), TResult>(fn, x => [x.Item1, x.Item2, x.Item3]), timeout);
    }

    /// <inheritdoc />
    public void Shutdown(bool wait = true, bool cancelPending = false)
    {
        _engine.Close();
        if (cancelPending)
            _engine.CancelQueued();
        if (wait)
            _engine.Completion.GetAwaiter().GetResult();
    }

    /// <summary>Shuts down and waits: queued calls run, then the workers exit.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts down and waits without blocking the caller's thread.</summary>
    public async ValueTask DisposeAsync()
    {
        _engine.Close();
        await _engine.Completion.ConfigureAwait(false);
    }

    /// <summary>Cancels the queued calls and kills every worker now; running calls end cancelled.</summary>
    public void Terminate()
    {
        _engine.Terminate();
        _engine.Completion.GetAwaiter().GetResult();
    }

    /// <summary>Refuses a <typeparamref name="TResult"/> the method's declared result cannot be (shared with <see cref="SlurmExecutor"/>).</summary>
    internal static void CheckResultType<TResult>(PoolTarget target, Delegate fn)
    {
        var declared = target.ResultType == typeof(void) ? typeof(object) : target.ResultType;
        if (!typeof(TResult).IsAssignableFrom(declared))
            throw new ArgumentException($"{fn.Method.Name} returns {declared.Name}, which is not a {typeof(TResult).Name}.", nameof(fn));
    }
}
