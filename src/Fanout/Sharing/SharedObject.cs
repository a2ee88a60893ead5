using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// The base of Fanout's named shared objects — values, arrays, semaphores, locks, events, barriers.
/// Each lives in its own small shared memory segment (a file in /dev/shm, mode 0600) whose first
/// word says what it is. Any process attaches by <see cref="Name"/>; passed to a
/// <see cref="WorkerProcess"/>, one travels by name and the worker attaches to it.
/// <see cref="Close"/> is this process being done; <see cref="Unlink"/> destroys it, once.
/// </summary>
public abstract unsafe class SharedObject : IDisposable
{
    // Header word 0: 'F' 'S' version kind, written last by the creator so an attacher never sees a half-made object.
    private const int MagicBase = 0x46530100;

    private protected SharedObject(SharedMemory segment)
    {
        Segment = segment;
    }

    /// <summary>The name another process attaches with.</summary>
    public string Name => Segment.Name;

    /// <summary>True once this process closed it.</summary>
    public bool IsClosed => Segment.IsClosed;

    internal SharedMemory Segment { get; }

    /// <summary>What it is, for messages ("semaphore", "lock"…).</summary>
    private protected abstract string Kind { get; }

    /// <summary>Unmaps it from this process; other processes keep using it. Idempotent.</summary>
    public void Close() => Dispose();

    /// <summary>Destroys it: the name disappears now, the memory when the last process closes it. Once, from any one process.</summary>
    /// <exception cref="SharedMemoryNotFoundException">It was already unlinked.</exception>
    public void Unlink()
    {
        SharedMemory.UnlinkName(Name, Kind);
        OnUnlinked();
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}(name='{Name}')";

    /// <summary>Closes the segment.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            Segment.Close();
    }

    /// <summary>Called after <see cref="Unlink"/> removed the name: an object that made others for itself removes them too.</summary>
    private protected virtual void OnUnlinked()
    {
    }

    /// <summary>The 32-bit word at <paramref name="index"/> (word 0 is the header).</summary>
    private protected int* Word(int index) => (int*)Segment.Address + index;

    /// <summary>Creates the segment, lets <paramref name="initialize"/> fill it, then publishes the header.</summary>
    private protected static SharedMemory CreateSegment(string? name, long size, SharedKind kind, Action<SharedMemory>? initialize = null)
    {
        name = name is null ? SharedMemory.NewName() : SharedMemory.CheckName(name);
        var segment = new SharedMemory(name, SharedMemory.CreateMapping(name, size, Describe(kind)));
        try
        {
            initialize?.Invoke(segment);
            Volatile.Write(ref segment.Ref<int>(), MagicBase | (int)kind);
            return segment;
        }
        catch
        {
            segment.Close();
            SharedMemory.UnlinkName(name, Describe(kind));
            throw;
        }
    }

    /// <summary>Attaches to <paramref name="name"/> and checks that it is a <paramref name="kind"/> (or an <paramref name="alsoAccepted"/>).</summary>
    private protected static SharedMemory AttachSegment(string name, SharedKind kind, SharedKind? alsoAccepted = null)
    {
        name = SharedMemory.CheckName(name);
        var segment = new SharedMemory(name, SharedMemory.AttachMapping(name, Describe(kind)));
        var magic = 0;
        for (var attempt = 0; attempt < 200 && (magic = Volatile.Read(ref segment.Ref<int>())) == 0; attempt++)
            Thread.Sleep(5);
        if (magic == (MagicBase | (int)kind) || (alsoAccepted is { } other && magic == (MagicBase | (int)other)))
            return segment;
        segment.Close();
        var actual = (magic & ~0xFF) == MagicBase ? $"a {Describe((SharedKind)(magic & 0xFF))}" : "not a Fanout shared object";
        throw new FanoutException($"'{name}' is {actual}, so it cannot be attached to as a {Describe(kind)}.");
    }

    /// <summary>What an attached segment is, from its header.</summary>
    private protected static SharedKind KindOf(SharedMemory segment) => (SharedKind)(Volatile.Read(ref segment.Ref<int>()) & 0xFF);

    private static string Describe(SharedKind kind) => kind switch
    {
        SharedKind.Semaphore => "semaphore",
        SharedKind.Lock => "lock",
        SharedKind.ReentrantLock => "re-entrant lock",
        SharedKind.Event => "event",
        SharedKind.Array => "shared array",
        SharedKind.Barrier => "barrier",
        SharedKind.Queue => "queue",
        SharedKind.Condition => "condition",
        SharedKind.JoinableQueue => "joinable queue",
        _ => "shared object",
    };

    private protected enum SharedKind
    {
        Semaphore = 1,
        Lock = 2,
        ReentrantLock = 3,
        Event = 4,
        Array = 5,
        Barrier = 6,
        Queue = 7,
        Condition = 8,
        JoinableQueue = 9,
    }
}
