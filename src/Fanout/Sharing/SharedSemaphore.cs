using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A counting semaphore shared between processes (Python's <c>multiprocessing.Semaphore</c>), built on
/// a futex in a small shared memory segment: no system call unless a process has to sleep or wake one.
/// <see cref="Acquire(bool, TimeSpan?)"/> takes one unit, waiting while there is none;
/// <see cref="Release"/> gives one back and wakes one sleeper. Any process may release.
/// <para>
/// Protocol (words of the segment): 1 = count, 2 = sleepers, 3 = bound (int.MaxValue: none). Acquire takes a
/// unit with compare-exchange; with none left it spins a little (<see cref="AdaptiveSpin"/>: a unit
/// released meanwhile is taken with no system call on either side), then counts itself in word 2 and
/// sleeps on word 1 while it reads 0. Release adds a unit, then wakes one sleeper if word 2 says there is one; since both
/// steps are full fences, a sleeper that counted itself after the release saw the new unit and
/// never slept.
/// </para>
/// <para>
/// A process that dies holding a unit does not give it back (as with POSIX and Python semaphores):
/// the count stays lower, and acquirers see fewer units, waiting or timing out. Use a
/// <see cref="SharedLock"/> when an owner's death must be noticed.
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var semaphore = SharedSemaphore.Create(initialValue: 1);
/// using (semaphore.Hold())
/// {
///     // one process at a time
/// }
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public unsafe class SharedSemaphore : SharedObject, IAttachable<SharedSemaphore>
{
    private const int Count = 1;
    private const int Sleepers = 2;
    private const int Bound = 3;

    private readonly AdaptiveSpin _spin = new();

    private protected SharedSemaphore(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>The units left now (a snapshot; Python's <c>get_value()</c>).</summary>
    public int Value => Volatile.Read(ref *Word(Count));

    private protected override string Kind => "semaphore";

    /// <summary>Creates a semaphore with <paramref name="initialValue"/> units.</summary>
    /// <param name="initialValue">Units available at first; 0 or more (1 makes a mutex-like semaphore).</param>
    /// <param name="name">A name other processes attach with; null for a fresh random one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialValue"/> is negative.</exception>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedSemaphore Create(int initialValue = 1, string? name = null) =>
        new(CreateSegment(initialValue, bound: int.MaxValue, name));

    /// <summary>Attaches to the semaphore <paramref name="name"/> made by another process.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not a semaphore.</exception>
    public static SharedSemaphore Attach(string name) => new(AttachSegment(name, SharedKind.Semaphore));

    static SharedSemaphore IAttachable<SharedSemaphore>.AttachByName(string name) => Attach(name);

    /// <summary>
    /// Takes one unit. With <paramref name="blocking"/> false, returns false at once when none is left;
    /// otherwise waits up to <paramref name="timeout"/> (null: forever) and returns whether it got one.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This process closed the semaphore.</exception>
    public bool Acquire(bool blocking = true, TimeSpan? timeout = null)
    {
        var count = Word(Count);
        var deadline = blocking ? Futex.Deadline(timeout) : 0;
        while (true)
        {
            var seen = Volatile.Read(ref *count);
            while (seen > 0)
            {
                var before = Interlocked.CompareExchange(ref *count, seen - 1, seen);
                if (before == seen)
                    return true;
                seen = before;
            }

            if (!blocking || Futex.Passed(deadline))
                return false;
            if (_spin.SpinWhile(count, 0))
                continue;
            Interlocked.Increment(ref *Word(Sleepers));
            try
            {
                if (!Futex.Wait(count, 0, deadline))
                    return TryTakeOne(count);
            }
            finally
            {
                Interlocked.Decrement(ref *Word(Sleepers));
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a unit; true if it got one.</summary>
    public bool Acquire(TimeSpan timeout) => Acquire(true, timeout);

    /// <summary>Waits for a unit and returns a scope that releases it: <c>using (semaphore.Hold()) { … }</c>.</summary>
    public SharedScope Hold()
    {
        Acquire();
        return new SharedScope(Release);
    }

    /// <summary>Gives one unit back and wakes one waiting process, if any.</summary>
    /// <exception cref="SemaphoreFullException">A bounded semaphore is already at its initial value.</exception>
    public void Release()
    {
        var count = Word(Count);
        var bound = Volatile.Read(ref *Word(Bound));
        var seen = Volatile.Read(ref *count);
        while (true)
        {
            if (seen >= bound)
            {
                throw new SemaphoreFullException(bound == int.MaxValue
                    ? $"The semaphore '{Name}' cannot count above {int.MaxValue}."
                    : $"The bounded semaphore '{Name}' was released more times than it was acquired (its value is already {bound}).");
            }

            var before = Interlocked.CompareExchange(ref *count, seen + 1, seen);
            if (before == seen)
                break;
            seen = before;
        }

        if (Volatile.Read(ref *Word(Sleepers)) > 0)
            Futex.Wake(count);
    }

    private protected static SharedMemory CreateSegment(int initialValue, int bound, string? name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialValue);
        return CreateSegment(name, 64, SharedKind.Semaphore, segment =>
        {
            segment.Ref<int>(Count * sizeof(int)) = initialValue;
            segment.Ref<int>(Bound * sizeof(int)) = bound;
        });
    }

    private static bool TryTakeOne(int* count)
    {
        var seen = Volatile.Read(ref *count);
        return seen > 0 && Interlocked.CompareExchange(ref *count, seen - 1, seen) == seen;
    }
}
