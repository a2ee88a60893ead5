namespace Fanout;

/// <summary>
/// Thrown by <see cref="SharedLock.Acquire(bool, TimeSpan?)"/> and <see cref="SharedReentrantLock.Acquire(bool, TimeSpan?)"/> when the
/// process that held the lock died without releasing it. The caller now holds the lock (as with
/// .NET's <c>AbandonedMutexException</c>): check the state it protects, then release it.
/// </summary>
public sealed class AbandonedLockException : FanoutException
{
    /// <summary>Creates the exception for lock <paramref name="name"/> abandoned by <paramref name="deadOwnerPid"/>.</summary>
    public AbandonedLockException(string name, int deadOwnerPid)
        : base($"The lock '{name}' was held by process {deadOwnerPid}, which died without releasing it. " +
            "This caller now holds the lock: the data it protects may be half-updated, so check it, then call Release().")
    {
        Name = name;
        DeadOwnerPid = deadOwnerPid;
    }

    /// <summary>The lock's name.</summary>
    public string Name { get; }

    /// <summary>The process that died holding the lock.</summary>
    public int DeadOwnerPid { get; }
}
