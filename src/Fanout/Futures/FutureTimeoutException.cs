namespace Fanout;

/// <summary>
/// A result was not ready in time (Python's <c>concurrent.futures.TimeoutError</c>): thrown by
/// <see cref="Future{T}.Result"/>, <see cref="Future.Exception"/>, an executor's <c>Map</c> and
/// <see cref="Futures.AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/>. The work itself goes on.
/// </summary>
public sealed class FutureTimeoutException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was not done in time.</param>
    public FutureTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for a wait of <paramref name="timeout"/>.</summary>
    /// <param name="what">What was waited for, such as "the future" or "3 of 10 futures".</param>
    /// <param name="timeout">How long the wait lasted.</param>
    public FutureTimeoutException(string what, TimeSpan timeout)
        : base($"{what} did not finish within {timeout.TotalSeconds:0.###} s; the work goes on.")
    {
        Timeout = timeout;
    }

    /// <summary>How long the wait lasted, when known.</summary>
    public TimeSpan? Timeout { get; }
}
