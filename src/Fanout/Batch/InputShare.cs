using System.Threading.Channels;

namespace Fanout.Batch;

/// <summary>
/// One job's share of a stream that several jobs read (<see cref="RoundRobinInput"/>,
/// <see cref="ShardedInput"/>): a short queue of chunks that its
/// <see cref="JobSpec.StandardInputWriter"/> writes to the job's stdin as they come.
/// </summary>
internal sealed class InputShare
{
    private bool _stopped;

    /// <param name="capacity">How many chunks may wait while the job is busy with another.</param>
    internal InputShare(int capacity) =>
        Queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });

    internal Channel<ReadOnlyMemory<byte>> Queue { get; }

    /// <summary>True once the job stopped reading (it ended, or never will read more): whatever is sent to it now is lost.</summary>
    internal bool Stopped => Volatile.Read(ref _stopped);

    /// <summary>The job's <see cref="JobSpec.StandardInputWriter"/>: its chunks, until the queue is closed.</summary>
    internal async Task WriteAsync(Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in Queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await stdin.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Marked before the queue is closed, so that whoever shares out never waits for a job that is gone.
            Volatile.Write(ref _stopped, true);
            Queue.Writer.TryComplete();
        }
    }
}
