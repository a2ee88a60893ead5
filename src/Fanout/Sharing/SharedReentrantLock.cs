using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A re-entrant lock shared between processes (Python's <c>multiprocessing.RLock</c>): the thread that
/// holds it may acquire it again, and must release it as many times. Owned by one thread of one
/// process; a dead owner is detected as for <see cref="SharedLock"/>.
/// <para>Words 3 and 4 of the segment hold the owning thread's managed id and the depth; only the owner writes them.</para>
/// </summary>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public sealed unsafe class SharedReentrantLock : SharedLock, IAttachable<SharedReentrantLock>
{
    private const int OwnerThread = 3;
    private const int Depth = 4;

    private SharedReentrantLock(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>How many times the owner has acquired it (0 when free; a snapshot).</summary>
    public int Count => IsLocked ? Volatile.Read(ref *Word(Depth)) : 0;

    private protected override string Kind => "re-entrant lock";

    /// <summary>Creates a free re-entrant lock.</summary>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static new SharedReentrantLock Create(string? name = null) => new(CreateSegment(name, 64, SharedKind.ReentrantLock));

    /// <summary>Attaches to the re-entrant lock <paramref name="name"/>.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not a re-entrant lock.</exception>
    public static new SharedReentrantLock Attach(string name) => new(AttachSegment(name, SharedKind.ReentrantLock));

    static SharedReentrantLock IAttachable<SharedReentrantLock>.AttachByName(string name) => Attach(name);

    /// <summary>Both this type and its base provide one; a worker must rebuild this one.</summary>
    ISharedByName ISharedByName.AttachAnother(string name) => Attach(name);

    /// <inheritdoc />
    public override bool Acquire(bool blocking = true, TimeSpan? timeout = null)
    {
        if (HeldByThisThread())
        {
            (*Word(Depth))++;
            return true;
        }

        if (!AcquireCore(blocking, timeout))
            return false;
        OnTakenOver();
        return true;
    }

    /// <summary>Releases one level; the last release frees the lock and wakes one waiter.</summary>
    /// <exception cref="SynchronizationLockException">This thread does not hold the lock.</exception>
    public override void Release()
    {
        if (!HeldByThisThread())
            throw new SynchronizationLockException($"The re-entrant lock '{Name}' is not held by this thread, so it cannot release it.");
        if (--(*Word(Depth)) > 0)
            return;
        Volatile.Write(ref *Word(OwnerThread), 0);
        ReleaseCore();
    }

    internal override bool IsHeldByCaller => HeldByThisThread();

    internal override int ReleaseForWait()
    {
        var depth = Volatile.Read(ref *Word(Depth));
        Volatile.Write(ref *Word(OwnerThread), 0);
        ReleaseCore();
        return depth;
    }

    internal override void RestoreAfterWait(int depth)
    {
        try
        {
            AcquireCore(blocking: true, timeout: null);
            OnTakenOver();
        }
        catch (AbandonedLockException)
        {
            // The caller holds the lock now and will release it as deeply as it took it.
            *Word(Depth) = depth;
            throw;
        }

        *Word(Depth) = depth;
    }

    private protected override void OnTakenOver()
    {
        *Word(Depth) = 1;
        Volatile.Write(ref *Word(OwnerThread), Environment.CurrentManagedThreadId);
    }

    private bool HeldByThisThread() =>
        OwnerPid == Environment.ProcessId && Volatile.Read(ref *Word(OwnerThread)) == Environment.CurrentManagedThreadId;
}
