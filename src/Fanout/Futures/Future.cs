using System.Diagnostics;

namespace Fanout;

/// <summary>
/// The eventual outcome of a call submitted to an executor (Python's <c>concurrent.futures.Future</c>),
/// without its value's type: what <see cref="Futures.Wait(IEnumerable{Future}, TimeSpan?, ReturnWhen)"/>
/// and <see cref="Futures.AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/> work with. See
/// <see cref="Future{T}"/> for the value.
/// <para>
/// Concurrency: the state, the outcome and the callback list are guarded by one private lock. Only
/// the executor changes the state (through the internal <c>TrySet…</c> methods), and each change is
/// checked: an illegal transition throws <see cref="InvalidOperationException"/>. Whoever makes the
/// final transition signals the waiters and then runs the callbacks, outside the lock, once each.
/// </para>
/// </summary>
public abstract class Future
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _done; // Created by the first waiter only: most pool futures are never waited on one by one.
    private FutureState _state;
    private Exception? _exception;
    private List<Action>? _callbacks;
    private Func<bool>? _kill;

    private protected Future()
    {
    }

    /// <summary>Where the future is: pending, running, finished or cancelled.</summary>
    public FutureState State
    {
        get
        {
            lock (_gate)
                return _state;
        }
    }

    /// <summary>True once cancelled (Python's <c>cancelled()</c>).</summary>
    public bool IsCancelled => State == FutureState.Cancelled;

    /// <summary>True while a worker runs it (Python's <c>running()</c>).</summary>
    public bool IsRunning => State == FutureState.Running;

    /// <summary>True once finished or cancelled (Python's <c>done()</c>).</summary>
    public bool IsDone => State is FutureState.Finished or FutureState.Cancelled;

    /// <summary>A task that completes (successfully, whatever the outcome) when the future is done.</summary>
    internal Task Done
    {
        get
        {
            lock (_gate)
            {
                return _state is FutureState.Finished or FutureState.Cancelled
                    ? Task.CompletedTask
                    : (_done ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>The lock, for derived types that keep their value under it.</summary>
    private protected Lock Gate => _gate;

    /// <summary>
    /// Cancels the call if it has not started (Python's <c>cancel()</c>): true when it is cancelled
    /// now or was already; false when it is running or finished — a running call is not stopped.
    /// </summary>
    public bool Cancel()
    {
        lock (_gate)
        {
            if (_state == FutureState.Cancelled)
                return true;
            if (_state != FutureState.Pending)
                return false;
            _state = FutureState.Cancelled;
        }

        Complete();
        return true;
    }

    /// <summary>
    /// Like <see cref="Cancel"/>, and when the call is already running in a process pool, kills
    /// the worker that runs it (the pool starts a new one): true when the future is now cancelled.
    /// A thread pool cannot stop a running call: false then, as for a finished future.
    /// </summary>
    public bool CancelOrKill()
    {
        Func<bool>? kill;
        lock (_gate)
        {
            if (_state is FutureState.Pending or FutureState.Cancelled)
                kill = null;
            else if (_state == FutureState.Running && _kill is not null)
                kill = _kill;
            else
                return false;
        }

        if (kill is null)
            return Cancel();
        if (!kill())
            return false;
        lock (_gate)
        {
            if (_state != FutureState.Running)
                return _state == FutureState.Cancelled;
            _state = FutureState.Cancelled;
        }

        Complete();
        return true;
    }

    /// <summary>
    /// Waits until the future is done (or <paramref name="timeout"/> has passed) and returns the
    /// exception the call threw, or null if it returned (Python's <c>exception(timeout)</c>).
    /// </summary>
    /// <param name="timeout">How long to wait; null waits as long as it takes.</param>
    /// <exception cref="FutureTimeoutException">It was not done in time.</exception>
    /// <exception cref="OperationCanceledException">It was cancelled.</exception>
    public Exception? Exception(TimeSpan? timeout = null)
    {
        WaitOrThrow(timeout);
        lock (_gate)
        {
            return _state == FutureState.Cancelled ? throw Cancelled() : _exception;
        }
    }

    /// <summary>Waits until the future is done or <paramref name="timeout"/> has passed; true if it is done. Never throws the call's exception.</summary>
    /// <param name="timeout">How long to wait; null waits as long as it takes.</param>
    public bool Wait(TimeSpan? timeout = null) => timeout is { } t ? Done.Wait(t) : WaitForever();

    /// <summary>
    /// Adds a callback that runs once when the future is done — finished or cancelled — with the
    /// future as its argument; at once, on this thread, if it is already done. Several callbacks run
    /// in the order they were added. A callback's exception is logged to <see cref="FanoutLog.Logger"/>, never thrown.
    /// </summary>
    /// <param name="callback">The callback.</param>
    public void AddDoneCallback(Action<Future> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallback(() => callback(this));
    }

    /// <summary>Python's repr: <c>&lt;Future state=finished returned Int32&gt;</c>.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            var outcome = _state == FutureState.Finished ? _exception is { } e ? $" raised {e.GetType().Name}" : " returned" : "";
            return $"<Future state={_state.ToString().ToLowerInvariant()}{outcome}>";
        }
    }

    /// <summary>Executor: the call starts. False when it was cancelled first (then it must not run).</summary>
    /// <param name="kill">For a process pool: kills the worker running the call, true if it did.</param>
    /// <exception cref="InvalidOperationException">It was already running or finished.</exception>
    internal bool TrySetRunning(Func<bool>? kill = null)
    {
        lock (_gate)
        {
            switch (_state)
            {
                case FutureState.Cancelled:
                    return false;
                case FutureState.Pending:
                    _state = FutureState.Running;
                    _kill = kill;
                    return true;
                default:
                    throw new InvalidOperationException($"A {_state.ToString().ToLowerInvariant()} future cannot start running.");
            }
        }
    }

    /// <summary>Executor: the call threw. False when the future was cancelled (killed) meanwhile.</summary>
    /// <exception cref="InvalidOperationException">It was already finished.</exception>
    internal bool TrySetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!TryFinish(() => _exception = exception))
            return false;
        Complete();
        return true;
    }

    /// <summary>Moves to Finished under the lock, storing the outcome with <paramref name="store"/>; false if cancelled.</summary>
    private protected bool TryFinish(Action store)
    {
        lock (_gate)
        {
            switch (_state)
            {
                case FutureState.Cancelled:
                    return false;
                case FutureState.Finished:
                    throw new InvalidOperationException("The future is already finished; a call finishes once.");
                default:
                    // A pending future may finish without running when its executor breaks.
                    store();
                    _state = FutureState.Finished;
                    _kill = null;
                    return true;
            }
        }
    }

    /// <summary>Adds <paramref name="callback"/>, or runs it now when the future is done.</summary>
    private protected void AddCallback(Action callback)
    {
        lock (_gate)
        {
            if (_state is FutureState.Pending or FutureState.Running)
            {
                (_callbacks ??= []).Add(callback);
                return;
            }
        }

        Run(callback);
    }

    /// <summary>After the final transition: wakes the waiters, then runs the callbacks outside the lock.</summary>
    private protected void Complete()
    {
        List<Action>? callbacks;
        TaskCompletionSource? done;
        lock (_gate)
        {
            Debug.Assert(_state is FutureState.Finished or FutureState.Cancelled, "Complete() follows a final transition.");
            callbacks = _callbacks;
            _callbacks = null;
            done = _done;
        }

        OnCompleted();
        done?.TrySetResult();
        foreach (var callback in callbacks ?? [])
            Run(callback);
    }

    /// <summary>For derived types: the future just became done (finished or cancelled).</summary>
    private protected abstract void OnCompleted();

    /// <summary>Waits, or throws <see cref="FutureTimeoutException"/>.</summary>
    private protected void WaitOrThrow(TimeSpan? timeout)
    {
        if (!Wait(timeout))
            throw new FutureTimeoutException("The future", timeout!.Value);
    }

    /// <summary>The outcome under the lock: the exception, or whether it was cancelled.</summary>
    private protected (FutureState State, Exception? Exception) Outcome()
    {
        lock (_gate)
            return (_state, _exception);
    }

    private protected static OperationCanceledException Cancelled() => new("The future was cancelled before it produced a result.");

    private bool WaitForever()
    {
        Done.Wait();
        return true;
    }

    private void Run(Action callback)
    {
        try
        {
            callback();
        }
#pragma warning disable CA1031 // A callback's failure must never reach the executor that completes the future.
        catch (System.Exception e)
#pragma warning restore CA1031
        {
            FutureLog.CallbackFailed(FanoutLog.Logger, e, ToString());
        }
    }
}
