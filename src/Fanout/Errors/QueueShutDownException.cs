namespace Fanout;

/// <summary>Thrown when putting into a <see cref="SharedQueue"/> that was shut down, or getting from one that is shut down and empty (Python 3.13's <c>queue.ShutDown</c>).</summary>
public sealed class QueueShutDownException : FanoutException
{
    /// <summary>Creates the exception for queue <paramref name="name"/>.</summary>
    public QueueShutDownException(string name)
        : base($"The queue '{name}' was shut down: nothing more can be put, and everything put before has been taken.")
    {
        Name = name;
    }

    /// <summary>The queue's name.</summary>
    public string Name { get; }
}
