using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace Fanout;

/// <summary>
/// The engine under <see cref="ProcessPoolExecutor"/> and <see cref="Pool"/>: a queue of jobs and
/// one slot per worker process.
/// <code>
///  caller                     engine                                 worker processes
///  Submit / Map ─► PoolJob ─► jobs channel ─► slot loop 1 ──task──►  PoolWorker-1 (task loop)
///   (checked and                              slot loop 2 ◄─reply──  PoolWorker-2
///    serialized here)                           │ died / timed out / killed:
///  Future ◄── value / error / WorkerLost ───────┘   fail that job only, start a new worker
/// </code>
/// <para>
/// Concurrency: each slot loop owns its worker and the jobs it sent to it (one, or a short
/// pipeline while every worker has work); it takes jobs from the retry queue, then the channel,
/// moves their future to running (skipping cancelled ones) and completes them in order. Closing
/// completes the channel: the loops finish what is queued, tell their workers to exit, and end.
/// Terminating also cancels what is queued and kills the workers. <c>_gate</c> guards each slot's
/// worker and head job, the map of running futures to slots (read by <see cref="Terminate"/> and
/// by the kill behind <see cref="Future.CancelOrKill"/>), and the closed, terminated and broken flags.
/// When the workers outnumber the free cores, slot 0 starts its worker first and the other slots
/// wait until it is up or has failed (<see cref="FirstWorkerStartsAlone"/>).
/// </para>
/// </summary>
internal sealed class ProcessPoolEngine
{
    private readonly Lock _gate = new();
    private readonly Channel<PoolJob> _jobs = Channel.CreateUnbounded<PoolJob>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly ConcurrentDictionary<(string Type, int Token, string? Signature, string? Instance), int> _targetIds = new();
    private readonly ConcurrentDictionary<MethodInfo, PoolTarget> _checkedTargets = new();
    private readonly PoolWorker?[] _workers;
    private readonly Task[] _slots;
    private readonly Dictionary<Future, int> _running = [];
    private readonly Future?[] _heads;
    private readonly ConcurrentQueue<PoolJob> _retry = new();
    private int _busySlots;
    private readonly WorkerCall _greeting;
    private readonly TaskCompletionSource _firstWorkerStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _firstWorkerStartsAlone;
    private readonly string _kind;
    private int _nextTargetId;
    private bool _closed;
    private bool _terminated;
    private Exception? _broken;

    /// <summary>The most jobs a worker may have been sent and not yet answered, while every worker has work (<see cref="PipelinePace"/> chooses how many).</summary>
    internal const int PipelineDepth = PipelinePace.MaxDepth;

    /// <summary>
    /// How many chunks a lazy map keeps in flight: enough to fill every worker's pipeline with
    /// small chunks, and never fewer than ten per worker; large chunks get fewer, which bounds the
    /// inputs held in memory.
    /// </summary>
    internal static int MapWindow(int processes, int chunkSize) =>
        processes * (Math.Clamp(PipelineDepth / Math.Max(chunkSize, 1), 8, PipelineDepth) + 2);

    /// <summary>Starts <paramref name="processes"/> workers at once.</summary>
    /// <exception cref="ArgumentException">The initializer or its arguments cannot be sent to a worker.</exception>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("Workers run their targets through reflection in new .NET processes.")]
    internal ProcessPoolEngine(string kind, int processes, Delegate? initializer, object?[] initArgs, int? maxTasksPerChild, TimeSpan? taskTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        if (maxTasksPerChild is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxTasksPerChild), maxTasksPerChild, "maxTasksPerChild must be at least 1 (or null for no limit).");
        if (taskTimeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(taskTimeout), taskTimeout, "The per-task timeout must be positive (or null for none).");
        _kind = kind;
        Processes = processes;
        MaxTasksPerChild = maxTasksPerChild;
        TaskTimeout = taskTimeout;
        var init = WorkerTarget.FromDelegate(initializer ?? NoInitializer, initArgs);
        _greeting = new WorkerCall
        {
            Name = "",
            Identity = [],
            ParentPid = Environment.ProcessId,
            Daemon = true,
            StderrLogLevel = FanoutLog.StderrLevel,
            Target = init.Reference,
            Arguments = init.RawArguments,
            Instance = init.RawInstance,
        };
        _firstWorkerStartsAlone = FirstWorkerStartsAlone(processes, Environment.ProcessorCount);
        _workers = new PoolWorker?[processes];
        _heads = new Future?[processes];
        _slots = new Task[processes];
        for (var i = 0; i < processes; i++)
        {
            var slot = i;
            _slots[i] = Task.Run(() => RunSlotAsync(slot));
        }
    }

    internal int Processes { get; }

    internal int? MaxTasksPerChild { get; }

    internal TimeSpan? TaskTimeout { get; }

    /// <summary>The pids of the live workers (for tests and diagnostics).</summary>
    internal IReadOnlyList<int> WorkerPids
    {
        get
        {
            lock (_gate)
                return [.. _workers.Where(w => w is not null).Select(w => w!.Pid)];
        }
    }

    /// <summary>Checks <paramref name="fn"/> and its first arguments at the call site; the target then serializes more.</summary>
    /// <exception cref="ArgumentException">The method or an argument cannot be sent to a worker.</exception>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    internal PoolTarget Target(Delegate fn, object?[] args, out JsonElement[] arguments) =>
        PoolTarget.From(fn, args, (reference, instance) => _targetIds.GetOrAdd(
            (reference.Type, reference.MethodToken, reference.Signature, instance?.GetRawText()), _ => Interlocked.Increment(ref _nextTargetId)), out arguments);

    /// <summary>
    /// Checks <paramref name="fn"/> and writes its call with <paramref name="args"/> into
    /// <paramref name="items"/>. A static method or a lambda that captures nothing is checked once
    /// per pool; later calls only have their arguments checked and written.
    /// </summary>
    /// <exception cref="ArgumentException">The method or an argument cannot be sent to a worker.</exception>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    internal PoolTarget Target(Delegate fn, object?[] args, PoolItems items)
    {
        if (fn.HasSingleTarget && _checkedTargets.TryGetValue(fn.Method, out var known) && known.Reuses(fn))
        {
            StartItems(known, items);
            items.Add(known, args);
            return known;
        }

        var target = Target(fn, args, out var first);
        if (StartItems(target, items))
            items.Add(target, args);
        else
            items.Add(first);
        if (target.Reuses(fn))
            _checkedTargets.TryAdd(fn.Method, target);
        return target;
    }

    /// <summary>Chooses the form of a new chunk: compact when the target allows it (a worker reads both forms); true if so.</summary>
    private static bool StartItems(PoolTarget target, PoolItems items)
    {
        if (!target.IsCompact)
            return false;
        items.UseCompact(target.ArgumentKind);
        return true;
    }

    /// <summary>
    /// Turns chunks of inputs into queued jobs for <paramref name="fn"/>: the first input is checked
    /// at the call site; after it, inputs of a one-parameter method of exactly that type are written
    /// without boxing, any others through <paramref name="arguments"/>.
    /// </summary>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    internal Func<T[], Future<TResult[]>> ChunkSubmitter<T, TResult>(Delegate fn, Func<T, object?[]> arguments)
    {
        PoolTarget? target = null;
        var oneArgument = fn.Method.GetParameters().Length == 1;
        // Optimized at once: a large chunk's loop would otherwise run unoptimized code the first time.
        return [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk) =>
        {
            using var items = PoolItems.Rent();
            if (target is not null)
                StartItems(target, items);
            foreach (var input in chunk)
            {
                if (target is null)
                    target = Target(fn, arguments(input), items);
                else if (oneArgument && target.TakesOnly<T>())
                    items.Add(target, input);
                else
                    items.Add(target, arguments(input));
            }

            return SubmitChunk<TResult>(target!, items);
        };
    }

    /// <summary>Queues a chunk of calls whose values arrive as one array.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed, terminated or broken.</exception>
    [RequiresUnreferencedCode("Results are deserialized with System.Text.Json reflection.")]
    internal Future<TResult[]> SubmitChunk<TResult>(PoolTarget target, PoolItems items)
    {
        Enqueue(PoolJob.ForChunk<TResult>(target, items, out var future));
        return future;
    }

    /// <summary>Queues one call.</summary>
    /// <exception cref="InvalidOperationException">The pool is closed, terminated or broken.</exception>
    [RequiresUnreferencedCode("Results are deserialized with System.Text.Json reflection.")]
    internal Future<TResult> SubmitOne<TResult>(PoolTarget target, PoolItems items)
    {
        Enqueue(PoolJob.ForOne<TResult>(target, items, out var future));
        return future;
    }

    /// <summary>Accepts no more work; the queued work still runs, then the workers exit (Python's <c>close()</c>).</summary>
    internal void Close()
    {
        lock (_gate)
            _closed = true;
        _jobs.Writer.TryComplete();
    }

    /// <summary>Cancels the queued work and kills the workers; running calls end cancelled (Python's <c>terminate()</c>).</summary>
    internal void Terminate()
    {
        Future?[] running;
        lock (_gate)
        {
            _closed = true;
            _terminated = true;
            running = [.. _running.Keys];
        }

        _jobs.Writer.TryComplete();
        CancelQueued();
        foreach (var future in running)
            future?.CancelOrKill();
        lock (_gate)
        {
            foreach (var worker in _workers)
                worker?.Kill("the pool was terminated");
        }
    }

    /// <summary>Cancels the calls that have not started.</summary>
    internal void CancelQueued()
    {
        while (_jobs.Reader.TryRead(out var job))
            job.Future.Cancel();
        if (Stopping)
        {
            while (_retry.TryDequeue(out var job))
                job.Future.CancelOrKill();
        }
    }

    /// <summary>Waits until every slot has ended (after <see cref="Close"/> or <see cref="Terminate"/>).</summary>
    internal Task Completion => Task.WhenAll(_slots);

    /// <summary>Throws the clear error for a closed or broken pool.</summary>
    internal void ThrowIfClosed()
    {
        lock (_gate)
        {
            if (_broken is { } broken)
                throw new InvalidOperationException($"This {_kind} is broken: {broken.Message} Create a new one.", broken);
            if (_closed)
                throw new InvalidOperationException($"Cannot schedule new calls: this {_kind} was shut down (Shutdown(), Close(), Terminate() or Dispose()). Create a new one.");
        }
    }

    internal static void NoInitializer()
    {
    }

    /// <summary>
    /// Whether the first worker starts before the others: when the workers would not all have a
    /// core of their own (with one left for this process), starting them together makes every
    /// start-up share the cores and the first task wait for the slowest. Alone, the first worker is
    /// up after one start-up and runs the first tasks while the others start.
    /// </summary>
    internal static bool FirstWorkerStartsAlone(int processes, int cores) => processes > 1 && processes >= cores;

    /// <summary>
    /// One worker's life after another: start it, run jobs until it must be replaced (it died,
    /// timed out, was killed, or ran <see cref="MaxTasksPerChild"/> tasks), until the pool ends.
    /// </summary>
    private async Task RunSlotAsync(int slot)
    {
        try
        {
            if (slot > 0 && _firstWorkerStartsAlone)
                await _firstWorkerStarted.Task.ConfigureAwait(false);
            while (!Stopping && (!_jobs.Reader.Completion.IsCompleted || !_retry.IsEmpty))
            {
                if (!await RunWorkerAsync(slot).ConfigureAwait(false))
                    return;
            }
        }
#pragma warning disable CA1031 // A slot must never end silently: anything unexpected breaks the pool, which fails the waiting work.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Break(new FanoutException($"The {_kind} failed unexpectedly: {e.Message}", e));
        }
        finally
        {
            // Whatever ended the first slot, the others must not wait for it.
            if (slot == 0)
                _firstWorkerStarted.TrySetResult();
        }
    }

    /// <summary>Runs one worker; true when the slot should start another.</summary>
    private async Task<bool> RunWorkerAsync(int slot)
    {
        var identity = CurrentProcess.NextChildIdentity();
        var name = $"{_kind}Worker-{string.Join(':', identity)}";
        var worker = PoolWorker.Start(name, Ipc.Frames.Encode(WorkerWire.Write(_greeting with { Name = name, Identity = identity })));
        await using (worker.ConfigureAwait(false))
        {
            lock (_gate)
            {
                _workers[slot] = worker;
                if (_terminated)
                    worker.Kill("the pool was terminated");
            }

            try
            {
                return await RunJobsAsync(slot, worker).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                    _workers[slot] = null;
            }
        }
    }

    private async Task<bool> RunJobsAsync(int slot, PoolWorker worker)
    {
        RemoteError? initError;
        try
        {
            initError = await worker.HelloAsync().ConfigureAwait(false);
        }
        catch (WorkerLostException e)
        {
            if (!Stopping)
                Break(new FanoutException($"A worker of the {_kind} died while starting: {e.Message}", e));
            return false;
        }
        finally
        {
            _firstWorkerStarted.TrySetResult();
        }

        if (initError is not null)
        {
            await worker.Exited.ConfigureAwait(false);
            Break(new FanoutException($"The initializer threw in worker '{worker.Name}'.", initError.ToException(worker.Name, worker.Pid)));
            return false;
        }

        var busy = false;
        try
        {
            return await RunPipelineAsync(slot, worker, b => SetBusy(ref busy, b)).ConfigureAwait(false);
        }
        finally
        {
            SetBusy(ref busy, false);
        }
    }

    /// <summary>Counts the slots that have a job in flight: a pipeline is only built when every worker has work.</summary>
    private void SetBusy(ref bool busy, bool now)
    {
        if (busy == now)
            return;
        busy = now;
        Interlocked.Add(ref _busySlots, now ? 1 : -1);
    }

    private async Task<bool> RunPipelineAsync(int slot, PoolWorker worker, Action<bool> setBusy)
    {
        var done = 0;
        var inFlight = new Queue<PoolJob>();
        var batch = new List<PoolJob>();
        var pace = new PipelinePace();
        while (true)
        {
            // Send one job to an idle worker; more (a pipeline, which hides the round trip) only
            // while every worker has work, so that calls spread over the workers first. The jobs
            // taken together go out in one write.
            batch.Clear();
            var depth = pace.Depth;
            while (inFlight.Count + batch.Count == 0
                || (inFlight.Count + batch.Count < depth && Volatile.Read(ref _busySlots) == Processes && !worker.WasKilled
                    && (MaxTasksPerChild is not { } max || done + inFlight.Count + batch.Count < max)))
            {
                if (!TryTake(out var job))
                    break;
                if (!Begin(slot, job))
                    continue;
                batch.Add(job);
                setBusy(true);
            }

            if (batch.Count > 0)
            {
                var sentAt = Stopwatch.GetTimestamp();
                foreach (var job in batch)
                {
                    job.SentAt = sentAt;
                    inFlight.Enqueue(job);
                }

                await worker.SendAsync(batch).ConfigureAwait(false);
            }

            setBusy(inFlight.Count > 0);
            if (inFlight.Count == 0)
            {
                var more = await _jobs.Reader.WaitToReadAsync().ConfigureAwait(false) || !_retry.IsEmpty;
                if (more)
                    continue;
                if (Stopping)
                    worker.Kill("the pool was terminated");
                else
                    await worker.ExitAsync().ConfigureAwait(false);
                await worker.Exited.ConfigureAwait(false);
                return false;
            }

            // Replies already read in one go are handled without going back to the queue.
            do
            {
                lock (_gate)
                    _heads[slot] = inFlight.Peek().Future;
                var (outcome, reply) = await worker.ReadReplyAsync(TaskTimeout).ConfigureAwait(false);
                var head = inFlight.Dequeue();
                End(slot, head);
                switch (outcome)
                {
                    case PoolWorker.Outcome.Replied:
                        pace.Replied(head.SentAt);
                        Finish(head, reply!, worker);
                        break;
                    case PoolWorker.Outcome.TimedOut:
                        head.Fail(new TaskTimeoutException(worker.Name, worker.Pid, TaskTimeout!.Value));
                        break;
                    default:
                        // Lost, or killed on purpose: a cancelled future ignores this.
                        head.Fail(new WorkerLostException(worker.Name, worker.Pid, await worker.Exited.ConfigureAwait(false)));
                        break;
                }

                if (outcome != PoolWorker.Outcome.Replied || worker.WasKilled)
                {
                    // Only the call at the head was running; the ones behind it never started and go
                    // back to the queue (still marked running), for this slot's next worker or another.
                    while (inFlight.TryDequeue(out var waiting))
                    {
                        End(slot, waiting);
                        _retry.Enqueue(waiting);
                    }

                    worker.Kill("it is being replaced");
                    await worker.Exited.ConfigureAwait(false);
                    return !Stopping;
                }

                if (++done == MaxTasksPerChild)
                {
                    await worker.ExitAsync().ConfigureAwait(false);
                    return !Stopping;
                }
            }
            while (inFlight.Count > 0 && worker.HasReplyReady);
        }
    }

    /// <summary>The next job: one sent back from a lost worker's pipeline first, then the queue.</summary>
    private bool TryTake([NotNullWhen(true)] out PoolJob? job) => _retry.TryDequeue(out job) || _jobs.Reader.TryRead(out job);

    /// <summary>Marks <paramref name="job"/> running on <paramref name="slot"/>; false when it was cancelled (or is done).</summary>
    private bool Begin(int slot, PoolJob job)
    {
        var future = job.Future;
        if (job.Started)
        {
            // Back from a lost worker: still running, unless a cancel came meanwhile.
            if (future.IsDone)
                return false;
        }
        else if (!future.TrySetRunning(() => KillIfRunning(future)))
        {
            return false;
        }

        job.Started = true;
        lock (_gate)
            _running[future] = slot;
        return true;
    }

    private void End(int slot, PoolJob job)
    {
        lock (_gate)
        {
            _running.Remove(job.Future);
            if (_heads[slot] == job.Future)
                _heads[slot] = null;
        }
    }

    /// <summary>Reads a reply into its job's future: the values, or the first failing call's error.</summary>
    private static void Finish(PoolJob job, byte[] reply, PoolWorker worker)
    {
        if (reply.Length > 0 && reply[0] == CompactWire.ValuesMarker)
        {
            job.CompleteCompact(reply.AsSpan(1));
            return;
        }

        using var document = JsonDocument.Parse(reply);
        var (values, index, error) = PoolWire.ReadReply(document);
        if (error is null)
            job.Complete(values);
        else
            job.Fail(error.ToException(worker.Name, worker.Pid, job.Count > 1 ? index : null));
    }

    /// <summary>
    /// The kill behind <see cref="Future.CancelOrKill"/>. The call at the head of a worker's
    /// pipeline is the one it runs: that worker is killed. A call queued behind it has not started:
    /// it is only marked cancelled (the worker may still run it; its result is dropped).
    /// </summary>
    private bool KillIfRunning(Future future)
    {
        lock (_gate)
        {
            if (!_running.TryGetValue(future, out var slot))
                return !future.IsDone;
            if (_heads[slot] != future)
                return true;
            return _workers[slot] is { } worker && worker.Kill("its task was cancelled");
        }
    }

    private bool Stopping
    {
        get
        {
            lock (_gate)
                return _terminated || _broken is not null;
        }
    }

    /// <summary>The pool cannot go on (an initializer threw): every queued call fails with <paramref name="reason"/>.</summary>
    private void Break(Exception reason)
    {
        lock (_gate)
        {
            _broken ??= reason;
            _closed = true;
        }

        _jobs.Writer.TryComplete();
        while (_jobs.Reader.TryRead(out var job))
            job.Fail(reason);
    }

    private void Enqueue(PoolJob job)
    {
        ThrowIfClosed();
        if (!_jobs.Writer.TryWrite(job))
            ThrowIfClosed();
    }
}
