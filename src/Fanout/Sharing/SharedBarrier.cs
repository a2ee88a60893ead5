using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A barrier shared between processes (Python's <c>multiprocessing.Barrier</c>): each of
/// <see cref="Parties"/> processes calls <see cref="Wait"/>, and all of them go on once the last arrives.
/// A party that times out breaks the barrier for everyone (<see cref="BrokenBarrierException"/>) until <see cref="Reset"/>.
/// <para>
/// Protocol (words): 1-2 a pid lock, 3 parties, 4 arrived, 5 generation (the futex word), 6 sleepers,
/// 7 broken. Arrival happens under the lock: count in, and the last one resets the count and bumps
/// the generation. Then each waits for the generation to move. Breaking sets word 7 and bumps the
/// generation too, so sleepers wake and look at word 7 first.
/// </para>
/// </summary>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public sealed unsafe class SharedBarrier : SharedObject, IAttachable<SharedBarrier>
{
    private const int LockOwner = 1;
    private const int LockSleepers = 2;
    private const int PartiesWord = 3;
    private const int Arrived = 4;
    private const int Generation = 5;
    private const int Sleepers = 6;
    private const int Broken = 7;

    private readonly AdaptiveSpin _lockSpin = new();

    private SharedBarrier(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>How many processes must arrive for all to go on.</summary>
    public int Parties => Volatile.Read(ref *Word(PartiesWord));

    /// <summary>How many are waiting now (a snapshot).</summary>
    public int Waiting => Volatile.Read(ref *Word(Arrived));

    /// <summary>True once a party timed out or aborted, until <see cref="Reset"/>.</summary>
    public bool IsBroken => Volatile.Read(ref *Word(Broken)) != 0;

    private protected override string Kind => "barrier";

    /// <summary>Creates a barrier for <paramref name="parties"/> processes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parties"/> is under 1.</exception>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedBarrier Create(int parties, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parties, 1);
        return new(CreateSegment(name, 64, SharedKind.Barrier, segment => segment.Ref<int>(PartiesWord * sizeof(int)) = parties));
    }

    /// <summary>Attaches to the barrier <paramref name="name"/>.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not a barrier.</exception>
    public static SharedBarrier Attach(string name) => new(AttachSegment(name, SharedKind.Barrier));

    static SharedBarrier IAttachable<SharedBarrier>.AttachByName(string name) => Attach(name);

    /// <summary>
    /// Arrives and waits, up to <paramref name="timeout"/> (null: forever), for every party; returns
    /// this party's arrival index, 0 to <see cref="Parties"/> − 1 (the last to arrive gets Parties − 1).
    /// </summary>
    /// <exception cref="BrokenBarrierException">The barrier is or became broken, or this wait timed out (which breaks it).</exception>
    public int Wait(TimeSpan? timeout = null)
    {
        var deadline = Futex.Deadline(timeout);
        int generation, index;
        Lock();
        try
        {
            if (IsBroken)
                throw new BrokenBarrierException(Name);
            generation = Volatile.Read(ref *Word(Generation));
            index = Interlocked.Increment(ref *Word(Arrived)) - 1;
            if (index == Parties - 1)
            {
                Volatile.Write(ref *Word(Arrived), 0);
                Interlocked.Increment(ref *Word(Generation));
            }
        }
        finally
        {
            Unlock();
        }

        if (index == Parties - 1)
        {
            WakeAll();
            return index;
        }

        while (Volatile.Read(ref *Word(Generation)) == generation)
        {
            bool woken;
            Interlocked.Increment(ref *Word(Sleepers));
            try
            {
                woken = Futex.Wait(Word(Generation), generation, deadline);
            }
            finally
            {
                Interlocked.Decrement(ref *Word(Sleepers));
            }

            if (!woken)
            {
                Abort();
                throw new BrokenBarrierException(Name);
            }
        }

        return IsBroken ? throw new BrokenBarrierException(Name) : index;
    }

    /// <summary>Breaks the barrier: every waiting party and every later <see cref="Wait"/> throws <see cref="BrokenBarrierException"/>.</summary>
    public void Abort()
    {
        Lock();
        try
        {
            Volatile.Write(ref *Word(Broken), 1);
            Volatile.Write(ref *Word(Arrived), 0);
            Interlocked.Increment(ref *Word(Generation));
        }
        finally
        {
            Unlock();
        }

        WakeAll();
    }

    /// <summary>Mends a broken barrier: no party waiting, not broken. Call it when no party is waiting (after everyone saw the break).</summary>
    public void Reset()
    {
        Abort();
        Volatile.Write(ref *Word(Broken), 0);
    }

    private void Lock() => PidLock.Acquire(Word(LockOwner), Word(LockSleepers), _lockSpin, blocking: true, Futex.NoDeadline, out _);

    private void Unlock() => PidLock.Release(Word(LockOwner), Word(LockSleepers));

    private void WakeAll()
    {
        if (Volatile.Read(ref *Word(Sleepers)) > 0)
            Futex.Wake(Word(Generation), int.MaxValue);
    }
}
