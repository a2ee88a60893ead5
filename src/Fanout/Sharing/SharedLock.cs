using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A lock shared between processes (Python's <c>multiprocessing.Lock</c>), built on a futex in a small
/// shared memory segment. It excludes other processes and other threads of this process alike;
/// any thread of the owning process may release it.
/// <para>
/// Protocol (words of the segment): 1 = the owner's pid (0: free), 2 = sleepers. Acquire swaps 0 for
/// its pid; when another pid is there it counts itself in word 2 and sleeps on word 1 while it still
/// holds that pid — in slices of <see cref="LivenessCheckInterval"/>, after each of which it checks
/// that the owner still lives.
/// </para>
/// <para>
/// Unlike Python's lock (and a POSIX semaphore), a lock whose owner died is not held forever: the
/// first waiter that finds the owner dead (or a zombie) takes the lock over and gets an
/// <see cref="AbandonedLockException"/> naming the dead pid, like .NET's <c>AbandonedMutexException</c>.
/// It then holds the lock, checks what the lock protects, and releases it. This needs every process
/// to share a pid namespace (one machine, one container).
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var gate = SharedLock.Create();
/// using (gate.Hold())
/// {
///     // one process (and one thread) at a time
/// }
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public unsafe class SharedLock : SharedObject, IAttachable<SharedLock>
{
    /// <summary>How often a waiter checks whether the owner is still alive.</summary>
    public static readonly TimeSpan LivenessCheckInterval = TimeSpan.FromMilliseconds(100);

    private const int Owner = 1;
    private const int Sleepers = 2;

    private readonly AdaptiveSpin _spin = new();

    private protected SharedLock(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>The pid of the process holding the lock, or null when it is free (a snapshot).</summary>
    public int? OwnerPid => Volatile.Read(ref *Word(Owner)) is var pid and not 0 ? pid : null;

    /// <summary>True while some process holds the lock (a snapshot).</summary>
    public bool IsLocked => OwnerPid is not null;

    private protected override string Kind => "lock";

    /// <summary>Creates a free lock.</summary>
    /// <param name="name">A name other processes attach with; null for a fresh random one.</param>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedLock Create(string? name = null) => new(CreateSegment(name, 64, SharedKind.Lock));

    /// <summary>Attaches to the lock <paramref name="name"/> made by another process.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not a lock.</exception>
    public static SharedLock Attach(string name) => new(AttachSegment(name, SharedKind.Lock));

    static SharedLock IAttachable<SharedLock>.AttachByName(string name) => Attach(name);

    /// <summary>
    /// Takes the lock. With <paramref name="blocking"/> false, returns false at once when it is held;
    /// otherwise waits up to <paramref name="timeout"/> (null: forever) and returns whether it got it.
    /// </summary>
    /// <exception cref="AbandonedLockException">The owner died holding the lock; the caller now holds it.</exception>
    /// <exception cref="ObjectDisposedException">This process closed the lock.</exception>
    public virtual bool Acquire(bool blocking = true, TimeSpan? timeout = null) => AcquireCore(blocking, timeout);

    /// <summary>Waits up to <paramref name="timeout"/> for the lock; true if it got it.</summary>
    /// <exception cref="AbandonedLockException">The owner died holding the lock; the caller now holds it.</exception>
    public bool Acquire(TimeSpan timeout) => Acquire(true, timeout);

    /// <summary>Waits for the lock and returns a scope that releases it: <c>using (gate.Hold()) { … }</c>.</summary>
    /// <exception cref="AbandonedLockException">The owner died holding the lock; the caller now holds it (and no scope was made).</exception>
    public SharedScope Hold()
    {
        Acquire();
        return new SharedScope(Release);
    }

    /// <summary>Releases the lock and wakes one waiter.</summary>
    /// <exception cref="SynchronizationLockException">This process does not hold the lock.</exception>
    public virtual void Release() => ReleaseCore();

    private protected bool AcquireCore(bool blocking, TimeSpan? timeout)
    {
        if (!PidLock.Acquire(Word(Owner), Word(Sleepers), _spin, blocking, blocking ? Futex.Deadline(timeout) : 0, out var deadOwner))
            return false;
        if (deadOwner == 0)
            return true;
        OnTakenOver();
        throw new AbandonedLockException(Name, deadOwner);
    }

    private protected void ReleaseCore()
    {
        var owner = PidLock.Release(Word(Owner), Word(Sleepers));
        if (owner != Environment.ProcessId)
        {
            throw new SynchronizationLockException(owner == 0
                ? $"The lock '{Name}' is not held, so it cannot be released."
                : $"The lock '{Name}' is held by process {owner}, not by this one ({Environment.ProcessId}); only its owner can release it.");
        }
    }

    /// <summary>Called with the lock just taken over from a dead owner, before the exception is thrown.</summary>
    private protected virtual void OnTakenOver()
    {
    }

    /// <summary>True when the caller holds the lock: this process (any thread) for a plain lock.</summary>
    internal virtual bool IsHeldByCaller => OwnerPid == Environment.ProcessId;

    /// <summary>For a condition's wait: frees the lock however deeply it is held; returns what <see cref="RestoreAfterWait"/> needs.</summary>
    internal virtual int ReleaseForWait()
    {
        ReleaseCore();
        return 1;
    }

    /// <summary>Takes the lock back after a condition's wait, as deeply as <see cref="ReleaseForWait"/> found it.</summary>
    /// <exception cref="AbandonedLockException">The lock's owner died holding it; the caller now holds it.</exception>
    internal virtual void RestoreAfterWait(int depth) => AcquireCore(blocking: true, timeout: null);
}
