namespace Fanout;

/// <summary>Thrown by <see cref="SharedBarrier.Wait"/> when the barrier is broken: a party timed out or called <see cref="SharedBarrier.Abort"/> (Python's <c>BrokenBarrierError</c>).</summary>
public sealed class BrokenBarrierException : FanoutException
{
    /// <summary>Creates the exception for barrier <paramref name="name"/>.</summary>
    public BrokenBarrierException(string name)
        : base($"The barrier '{name}' is broken: a party timed out or aborted it. Call Reset() to use it again.")
    {
        Name = name;
    }

    /// <summary>The barrier's name.</summary>
    public string Name { get; }
}
