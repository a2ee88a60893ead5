using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Fanout;

/// <summary>
/// The eventual result of a call submitted to an executor (Python's <c>concurrent.futures.Future</c>).
/// Block on it with <see cref="Result"/>, <c>await</c> it, convert it with <see cref="AsTask"/>, or
/// add callbacks. Only its executor completes it.
/// </summary>
/// <typeparam name="T">The call's result type.</typeparam>
/// <example>
/// <code>
/// using var executor = new ThreadPoolExecutor(maxWorkers: 1);
/// var future = executor.Submit(BigInteger.Pow, new BigInteger(323), 1235);
/// Console.WriteLine(future.Result());            // or: await future
/// </code>
/// </example>
public sealed class Future<T> : Future
{
    private T? _value;
    private TaskCompletionSource<T>? _task;

    /// <summary>Creates a pending future; executors create them.</summary>
    internal Future()
    {
    }

    /// <summary>
    /// Waits until the call is done and returns its value (Python's <c>result(timeout)</c>).
    /// </summary>
    /// <param name="timeout">How long to wait; null waits as long as it takes.</param>
    /// <exception cref="FutureTimeoutException">It was not done in time (the call goes on).</exception>
    /// <exception cref="OperationCanceledException">It was cancelled.</exception>
    /// <exception cref="Exception">Whatever the call threw, rethrown with its stack trace (a <see cref="RemoteException"/> from a process).</exception>
    public T Result(TimeSpan? timeout = null)
    {
        WaitOrThrow(timeout);
        var (state, exception) = Outcome();
        if (state == FutureState.Cancelled)
            throw Cancelled();
        if (exception is not null)
            ExceptionDispatchInfo.Capture(exception).Throw();
        return _value!;
    }

    /// <summary>
    /// A task that completes with this future: with its value, its exception, or cancelled.
    /// The same task every time.
    /// </summary>
    public Task<T> AsTask()
    {
        lock (Gate)
        {
            if (_task is not null)
                return _task.Task;
            _task = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (IsDone)
            SetTask();
        return _task.Task;
    }

    /// <summary>Makes the future awaitable: <c>var value = await future;</c>.</summary>
    public TaskAwaiter<T> GetAwaiter() => AsTask().GetAwaiter();

    /// <summary>
    /// Adds a callback run once when the future is done (finished or cancelled), at once if it
    /// already is; several run in the order added; exceptions they throw are logged, never thrown.
    /// </summary>
    /// <param name="callback">The callback; it receives this future.</param>
    public void AddDoneCallback(Action<Future<T>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallback(() => callback(this));
    }

    /// <summary>Executor: the call returned <paramref name="value"/>. False when the future was cancelled (killed) meanwhile.</summary>
    /// <exception cref="InvalidOperationException">It was already finished.</exception>
    internal bool TrySetResult(T value)
    {
        if (!TryFinish(() => _value = value))
            return false;
        Complete();
        return true;
    }

    private protected override void OnCompleted()
    {
        lock (Gate)
        {
            if (_task is null)
                return;
        }

        SetTask();
    }

    private void SetTask()
    {
        var (state, exception) = Outcome();
        if (state == FutureState.Cancelled)
            _task!.TrySetCanceled();
        else if (exception is not null)
            _task!.TrySetException(exception);
        else
            _task!.TrySetResult(_value!);
    }
}
