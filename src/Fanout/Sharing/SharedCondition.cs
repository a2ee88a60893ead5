using System.Text;
using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A condition variable shared between processes (Python's <c>multiprocessing.Condition</c>): while
/// holding its lock, a process <see cref="Wait"/>s — the lock is released during the wait and held
/// again when it returns — until another process changes the state the lock protects and calls
/// <see cref="Notify"/> or <see cref="NotifyAll"/>. The lock is a <see cref="SharedLock"/> or a
/// <see cref="SharedReentrantLock"/>, given or made for the condition.
/// <para>
/// Protocol (words of the segment): 1 = sequence (the futex word), 2 = waiting (registered, not yet
/// notified), 3 = signals (notified, not yet taken), then the lock's kind, whether the condition
/// made it, and its name. Waiting and notifying happen with the lock held, so they are ordered:
/// <code>
///  Wait:   (lock held) note the sequence; waiting += 1; release the lock
///          sleep on the sequence while it holds the noted value; once it has moved, take a signal (signals -= 1, lock-free)
///          no signal for me (another waiter took it): note the new value and sleep again
///          timeout: lock again; take a signal if the sequence moved and one is left (a notify raced the timeout), else waiting -= 1
///  Notify(n): (lock held) k = min(n, waiting); waiting -= k; signals += k; sequence += 1; wake k sleepers
/// </code>
/// Each notified unit is taken by exactly one waiter, so <c>Notify(1)</c> lets exactly one return;
/// a waiter that wakes without a signal sleeps again (no busy wait), and because the sequence moves
/// after the signals are added, a waiter that has not gone to sleep yet cannot miss them.
/// </para>
/// <para>
/// A process that dies while waiting stays counted: one later notification goes to nobody, or to a
/// waiter that arrived after it. A process that dies holding the lock is handled by the lock
/// (<see cref="AbandonedLockException"/> on the next acquire, including the re-acquire inside a wait).
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var ready = SharedCondition.Create();
/// // consumer:                                   producer:
/// using (ready.Hold())                           using (ready.Hold())
///     ready.WaitFor(() => items.Value > 0);      {   items.Add(1); ready.Notify(); }
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public sealed unsafe class SharedCondition : SharedObject, IAttachable<SharedCondition>
{
    private const int Sequence = 1;
    private const int WaitingWord = 2;
    private const int Signals = 3;
    private const int LockKind = 4;
    private const int MadeLock = 5;
    private const int LockNameLength = 6;
    private const int LockNameOffset = 32;
    private const int MaxLockNameBytes = 1024;

    private readonly bool _closesLock;

    private SharedCondition(SharedMemory segment, SharedLock gate, bool closesLock)
        : base(segment)
    {
        Lock = gate;
        _closesLock = closesLock;
    }

    /// <summary>The lock a waiter holds; <see cref="Hold"/>, <see cref="Acquire"/> and <see cref="Release"/> take and free it.</summary>
    public SharedLock Lock { get; }

    /// <summary>How many waits are waiting and not yet notified (a snapshot).</summary>
    public int Waiting => Volatile.Read(ref *Word(WaitingWord));

    private protected override string Kind => "condition";

    /// <summary>
    /// Creates a condition over <paramref name="sharedLock"/>, or over a new <see cref="SharedLock"/>
    /// made for it (unlinked with the condition). Unlike Python, whose default is an <c>RLock</c>, the
    /// default lock is not re-entrant: any thread of the holding process may release it, which is
    /// what lets <see cref="WaitAsync"/> resume on another thread.
    /// </summary>
    /// <param name="sharedLock">The lock to use; this object keeps it open, and the caller still closes its own copy.</param>
    /// <param name="name">A name other processes attach with; null for a fresh random one.</param>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="sharedLock"/> was closed.</exception>
    public static SharedCondition Create(SharedLock? sharedLock = null, string? name = null)
    {
        if (sharedLock is { IsClosed: true })
            throw new ObjectDisposedException(sharedLock.ToString(), "The lock given to the condition was closed in this process.");
        var gate = sharedLock ?? SharedLock.Create();
        try
        {
            var lockName = Encoding.UTF8.GetBytes(gate.Name);
            var segment = CreateSegment(name, LockNameOffset + MaxLockNameBytes, SharedKind.Condition, segment =>
            {
                segment.Ref<int>(LockKind * sizeof(int)) = gate is SharedReentrantLock ? (int)SharedKind.ReentrantLock : (int)SharedKind.Lock;
                segment.Ref<int>(MadeLock * sizeof(int)) = sharedLock is null ? 1 : 0;
                segment.Ref<int>(LockNameLength * sizeof(int)) = lockName.Length;
                lockName.CopyTo(segment.Span[LockNameOffset..]);
            });
            return new SharedCondition(segment, gate, closesLock: sharedLock is null);
        }
        catch
        {
            if (sharedLock is null)
            {
                gate.Dispose();
                gate.Unlink();
            }

            throw;
        }
    }

    /// <summary>Attaches to the condition <paramref name="name"/>, and to its lock.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name, or its lock was unlinked.</exception>
    /// <exception cref="FanoutException">The object with that name is not a condition.</exception>
    public static SharedCondition Attach(string name)
    {
        var segment = AttachSegment(name, SharedKind.Condition);
        try
        {
            var length = segment.Ref<int>(LockNameLength * sizeof(int));
            var lockName = Encoding.UTF8.GetString(segment.Span.Slice(LockNameOffset, length));
            SharedLock gate = segment.Ref<int>(LockKind * sizeof(int)) == (int)SharedKind.ReentrantLock
                ? SharedReentrantLock.Attach(lockName)
                : SharedLock.Attach(lockName);
            return new SharedCondition(segment, gate, closesLock: true);
        }
        catch
        {
            segment.Close();
            throw;
        }
    }

    static SharedCondition IAttachable<SharedCondition>.AttachByName(string name) => Attach(name);

    /// <summary>Takes the lock (see <see cref="SharedLock.Acquire(bool, TimeSpan?)"/>).</summary>
    /// <exception cref="AbandonedLockException">The owner died holding the lock; the caller now holds it.</exception>
    public bool Acquire(bool blocking = true, TimeSpan? timeout = null) => Lock.Acquire(blocking, timeout);

    /// <summary>Releases the lock.</summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    public void Release() => Lock.Release();

    /// <summary>Waits for the lock and returns a scope that releases it (Python's <c>with condition:</c>).</summary>
    /// <exception cref="AbandonedLockException">The owner died holding the lock; the caller now holds it (and no scope was made).</exception>
    public SharedScope Hold() => Lock.Hold();

    /// <summary>
    /// Releases the lock, waits until notified or until <paramref name="timeout"/> (null: forever)
    /// has passed, and takes the lock again. Returns false only on timeout (Python's <c>wait</c>).
    /// As with every condition variable, check the state again after it returns: another process
    /// may have changed it first — or use <see cref="WaitFor"/>.
    /// </summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    /// <exception cref="AbandonedLockException">The lock's owner died holding it; the caller holds it again.</exception>
    public bool Wait(TimeSpan? timeout = null)
    {
        var deadline = Futex.Deadline(timeout);
        var registered = Enter();
        return Leave(registered, Sleep(registered, deadline, CancellationToken.None));
    }

    /// <summary>
    /// <see cref="Wait"/> without blocking the calling thread: the lock is released now, the wait
    /// happens on a thread of its own (a futex cannot be awaited), and the lock is taken again
    /// before the task completes. Needs a plain <see cref="SharedLock"/>, which any thread of this
    /// process may hold and release.
    /// </summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    /// <exception cref="InvalidOperationException">The lock is a <see cref="SharedReentrantLock"/>, which belongs to one thread.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a notification came; the lock is held again.</exception>
    public Task<bool> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (Lock is SharedReentrantLock)
        {
            throw new InvalidOperationException(
                $"The condition '{Name}' uses a re-entrant lock, which belongs to one thread, and an await may resume on another. " +
                "Create the condition over a SharedLock (the default) to wait asynchronously.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var deadline = Futex.Deadline(timeout);
        var registered = Enter();
        return Futex.RunWaitAsync(Word(Sequence), token =>
        {
            var notified = Leave(registered, Sleep(registered, deadline, token));
            // The lock stays held, as after any wait: the caller's scope releases it.
            if (!notified)
                token.ThrowIfCancellationRequested();
            return notified;
        }, cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> is true, checking it with the lock held: first at
    /// once, then after each notification, until <paramref name="timeout"/> (null: forever) has
    /// passed. Returns the predicate's last value (Python's <c>wait_for</c>).
    /// </summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    public bool WaitFor(Func<bool> predicate, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = Futex.Deadline(timeout);
        var result = predicate();
        while (!result && !Futex.Passed(deadline))
        {
            var registered = Enter();
            Leave(registered, Sleep(registered, deadline, CancellationToken.None));
            result = predicate();
        }

        return result;
    }

    /// <summary>Wakes up to <paramref name="count"/> waits, exactly that many if as many are waiting (Python's <c>notify(n)</c>).</summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void Notify(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckHeld("notify");
        var waking = Math.Min(count, Volatile.Read(ref *Word(WaitingWord)));
        if (waking == 0)
            return;
        Interlocked.Add(ref *Word(WaitingWord), -waking);
        Interlocked.Add(ref *Word(Signals), waking);
        Interlocked.Increment(ref *Word(Sequence));
        Futex.Wake(Word(Sequence), waking);
    }

    /// <summary>Wakes every wait now waiting (Python's <c>notify_all</c>).</summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    public void NotifyAll() => Notify(int.MaxValue);

    /// <summary>Closes this process's copy of the lock too, unless the caller gave it.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _closesLock)
            Lock.Dispose();
        base.Dispose(disposing);
    }

    private protected override void OnUnlinked()
    {
        if (Volatile.Read(ref *Word(MadeLock)) == 0)
            return;
        try
        {
            Lock.Unlink();
        }
        catch (SharedMemoryNotFoundException)
        {
            // Another process unlinked it first.
        }
    }

    /// <summary>With the lock held: counts this wait in and frees the lock. Returns the sequence it registered at and the lock's depth.</summary>
    private (int Sequence, int Depth) Enter()
    {
        CheckHeld("wait on");
        var sequence = Volatile.Read(ref *Word(Sequence));
        Interlocked.Increment(ref *Word(WaitingWord));
        return (sequence, Lock.ReleaseForWait());
    }

    /// <summary>Sleeps until a signal is taken (true), or the deadline passes or the token is cancelled (false).</summary>
    private bool Sleep((int Sequence, int Depth) registered, long deadline, CancellationToken cancellationToken)
    {
        var sequence = Word(Sequence);
        var seen = registered.Sequence;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!Futex.Wait(sequence, seen, deadline))
                return false;
            seen = Volatile.Read(ref *sequence);
            // Signals made before this wait registered belong to earlier waiters.
            if (seen != registered.Sequence && TryTakeSignal())
                return true;
        }

        return false;
    }

    /// <summary>Takes the lock again; a wait that was not notified either takes a signal that raced its end or counts itself out.</summary>
    private bool Leave((int Sequence, int Depth) registered, bool notified)
    {
        try
        {
            Lock.RestoreAfterWait(registered.Depth);
        }
        finally
        {
            // Also when the lock was abandoned: the caller holds it either way.
            if (!notified)
            {
                notified = Volatile.Read(ref *Word(Sequence)) != registered.Sequence && TryTakeSignal();
                if (!notified)
                    Interlocked.Decrement(ref *Word(WaitingWord));
            }
        }

        return notified;
    }

    private bool TryTakeSignal()
    {
        var signals = Word(Signals);
        var seen = Volatile.Read(ref *signals);
        while (seen > 0)
        {
            var before = Interlocked.CompareExchange(ref *signals, seen - 1, seen);
            if (before == seen)
                return true;
            seen = before;
        }

        return false;
    }

    private void CheckHeld(string action)
    {
        if (!Lock.IsHeldByCaller)
        {
            throw new SynchronizationLockException(
                $"Cannot {action} the condition '{Name}' without holding its lock '{Lock.Name}': take it first, e.g. using (condition.Hold()) {{ … }}.");
        }
    }
}
