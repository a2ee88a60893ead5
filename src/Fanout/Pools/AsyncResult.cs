namespace Fanout;

/// <summary>
/// The result of <see cref="Pool.ApplyAsync{TResult}(Func{TResult}, Action{TResult}?, Action{Exception}?)"/> or
/// <see cref="Pool.MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, Action{List{TResult}}?, Action{Exception}?)"/>
/// (Python's <c>multiprocessing.pool.AsyncResult</c>): wait for it, get it, or let its callback receive it.
/// It is also awaitable, and <see cref="Future"/> gives the underlying future.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed class AsyncResult<T>
{
    internal AsyncResult(Future<T> future, Action<T>? callback, Action<Exception>? errorCallback)
    {
        Future = future;
        if (callback is null && errorCallback is null)
            return;
        future.AddDoneCallback(done =>
        {
            var (state, exception) = done.State == FutureState.Cancelled ? (FutureState.Cancelled, null) : (FutureState.Finished, done.Exception());
            if (state == FutureState.Cancelled)
                errorCallback?.Invoke(new OperationCanceledException("The call was cancelled."));
            else if (exception is not null)
                errorCallback?.Invoke(exception);
            else
                callback?.Invoke(done.Result());
        });
    }

    /// <summary>The future behind this result.</summary>
    public Future<T> Future { get; }

    /// <summary>True once the call is done (Python's <c>ready()</c>).</summary>
    public bool Ready => Future.IsDone;

    /// <summary>True when the call returned without throwing (Python's <c>successful()</c>).</summary>
    /// <exception cref="InvalidOperationException">The call is not done yet.</exception>
    public bool Successful => Ready
        ? Future.State == FutureState.Finished && Future.Exception() is null
        : throw new InvalidOperationException("The result is not ready yet; Wait() for it before asking whether it was successful.");

    /// <summary>Waits until the call is done or <paramref name="timeout"/> has passed; true if it is done (Python's <c>wait(timeout)</c>).</summary>
    /// <param name="timeout">How long to wait; null waits as long as it takes.</param>
    public bool Wait(TimeSpan? timeout = null) => Future.Wait(timeout);

    /// <summary>Waits for the value (Python's <c>get(timeout)</c>).</summary>
    /// <param name="timeout">How long to wait; null waits as long as it takes.</param>
    /// <exception cref="FutureTimeoutException">It was not done in time.</exception>
    /// <exception cref="Exception">What the call threw (a <see cref="RemoteException"/>, <see cref="WorkerLostException"/> or <see cref="TaskTimeoutException"/>).</exception>
    public T Get(TimeSpan? timeout = null) => Future.Result(timeout);

    /// <summary>Makes the result awaitable.</summary>
    public System.Runtime.CompilerServices.TaskAwaiter<T> GetAwaiter() => Future.GetAwaiter();
}
