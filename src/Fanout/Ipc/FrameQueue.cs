namespace Fanout.Ipc;

/// <summary>
/// Hands frames from a pool worker's reader thread to its task loop. Unlike a
/// <c>BlockingCollection</c> the taker never spins: on a machine with few cores a spinning worker
/// takes time from the parent and the other workers. The reader only signals when the taker is
/// asleep. One producer, one consumer; all state is guarded by <c>_gate</c>.
/// </summary>
internal sealed class FrameQueue
{
    private readonly object _gate = new(); // a Monitor, not a Lock: Take waits on it
    private readonly Queue<byte[]> _frames = new();
    private bool _waiting;

    /// <summary>Adds a frame, waking the taker if it sleeps.</summary>
    internal void Add(byte[] frame)
    {
        lock (_gate)
        {
            _frames.Enqueue(frame);
            if (_waiting)
                Monitor.Pulse(_gate);
        }
    }

    /// <summary>The next frame, waiting for one as long as it takes.</summary>
    internal byte[] Take()
    {
        lock (_gate)
        {
            while (_frames.Count == 0)
            {
                _waiting = true;
                Monitor.Wait(_gate);
                _waiting = false;
            }

            return _frames.Dequeue();
        }
    }
}
