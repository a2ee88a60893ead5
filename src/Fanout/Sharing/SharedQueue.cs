using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A first-in first-out queue of messages shared between processes (Python's <c>multiprocessing.Queue</c>),
/// for many producers and many consumers: a ring buffer of length-prefixed messages in one shared
/// memory segment, under a lock, with futex wake-ups. Messages are bytes, or any value as JSON
/// (<see cref="PutObject{T}(T)"/>, <see cref="GetObject{T}"/>). Unlike Python's queue there is no feeder thread:
/// when <see cref="Put(ReadOnlySpan{byte})"/> returns, the message is in the queue, visible to every process.
/// <code>
///  segment: [header | lock: owner pid, sleepers | items seq | space seq | getters wait | putters wait | shut down | head | tail | capacity | ring …]
///  Put: lock; room? copy length + bytes at tail, then move tail (one store: the commit); bump items seq; unlock; wake getters
///       no room: note space seq; unlock; spin a little, then raise "putters wait" and sleep on space seq until a Get bumps it
///  Get: lock; head != tail? copy out, then move head (the commit); bump space seq; unlock; wake putters
///       empty: note items seq; unlock; spin a little, then raise "getters wait" and sleep on items seq until a Put bumps it (or Shutdown)
/// </code>
/// A wake-up is one system call that wakes every sleeper of that kind, and only the first bump after a
/// sleeper raised its flag makes it (the flag is swapped back to 0): a getter that frees room
/// message by message while a putter is still waking up does not call the kernel for each one.
/// The sequence is bumped before the flag is read, and the flag raised before the sleep compares
/// the sequence, both with full fences, so a sleeper either is woken or never sleeps.
/// Each operation commits with a single store, so a process that dies inside one leaves the queue
/// consistent; the next process takes its lock over and carries on.
/// </summary>
/// <example>
/// <code>
/// using var tasks = SharedQueue.Create();
/// // producers: tasks.PutObject(item);      consumers: var item = tasks.GetObject&lt;Item&gt;();
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, named as Python names it.")]
public unsafe class SharedQueue : SharedObject, IAttachable<SharedQueue>
{
    /// <summary>The ring's size in bytes when none is given: 1 MiB.</summary>
    public const int DefaultCapacity = 1 << 20;

    private const int LockOwner = 1;
    private const int LockSleepers = 2;
    private const int Items = 3;
    private const int Space = 4;
    private const int GettersWait = 5;
    private const int PuttersWait = 6;
    private const int ShutDownFlag = 7;
    private const int HeadOffset = 32;
    private const int TailOffset = 40;
    private const int CapacityOffset = 48;
    private const int DataOffset = 64;

    private readonly AdaptiveSpin _lockSpin = new();
    private readonly AdaptiveSpin _itemsSpin = new();
    private readonly AdaptiveSpin _spaceSpin = new();

    private protected SharedQueue(SharedMemory segment)
        : base(segment)
    {
        Capacity = segment.Ref<long>(CapacityOffset);
    }

    /// <summary>The ring's size in bytes; each message takes 4 bytes more than its length.</summary>
    public long Capacity { get; }

    /// <summary>True when no message is waiting (a snapshot).</summary>
    public bool IsEmpty => Volatile.Read(ref Head) == Volatile.Read(ref Tail);

    /// <summary>True once <see cref="Shutdown"/> was called in any process.</summary>
    public bool IsShutDown => Volatile.Read(ref *Word(ShutDownFlag)) != 0;

    private protected override string Kind => "queue";

    /// <summary>Words 14 and 15 (bytes 56 to 63) are free for a subclass: the header ends where the ring starts.</summary>
    private protected const int FirstFreeWord = CapacityOffset / sizeof(int) + 2;

    private ref long Head => ref Segment.Ref<long>(HeadOffset);

    private ref long Tail => ref Segment.Ref<long>(TailOffset);

    /// <summary>Creates an empty queue whose ring holds <paramref name="capacity"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is under 16 bytes.</exception>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedQueue Create(int capacity = DefaultCapacity, string? name = null) => new(CreateSegment(capacity, name, SharedKind.Queue));

    /// <summary>Attaches to the queue <paramref name="name"/>; a joinable queue comes back as a <see cref="SharedJoinableQueue"/>, so its puts stay counted.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not a queue.</exception>
    public static SharedQueue Attach(string name)
    {
        var segment = AttachSegment(name, SharedKind.Queue, alsoAccepted: SharedKind.JoinableQueue);
        return KindOf(segment) == SharedKind.JoinableQueue ? new SharedJoinableQueue(segment) : new SharedQueue(segment);
    }

    static SharedQueue IAttachable<SharedQueue>.AttachByName(string name) => Attach(name);

    /// <summary>Puts a message, waiting for room as long as it takes.</summary>
    /// <exception cref="QueueShutDownException">The queue was shut down.</exception>
    /// <exception cref="ArgumentException">The message can never fit in the ring.</exception>
    public void Put(ReadOnlySpan<byte> message) => TryPutCore(message, Futex.NoDeadline);

    /// <summary>Puts a message, waiting up to <paramref name="timeout"/> for room; false when there was none.</summary>
    /// <exception cref="QueueShutDownException">The queue was shut down.</exception>
    public bool TryPut(ReadOnlySpan<byte> message, TimeSpan timeout) => TryPutCore(message, Futex.Deadline(timeout));

    /// <summary>Takes the oldest message, waiting as long as it takes.</summary>
    /// <exception cref="QueueShutDownException">The queue is shut down and empty.</exception>
    public byte[] Get() => TryGetCore(Futex.NoDeadline) ?? throw new QueueShutDownException(Name);

    /// <summary>Takes the oldest message, waiting up to <paramref name="timeout"/>; false on timeout, or when the queue is shut down and empty.</summary>
    public bool TryGet([NotNullWhen(true)] out byte[]? message, TimeSpan timeout)
    {
        message = TryGetCore(Futex.Deadline(timeout), throwWhenShutDown: false);
        return message is not null;
    }

    /// <summary>Puts <paramref name="value"/> as JSON.</summary>
    /// <exception cref="QueueShutDownException">The queue was shut down.</exception>
    [RequiresUnreferencedCode("The value is serialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is serialized with System.Text.Json reflection.")]
    public void PutObject<T>(T value) => Put(JsonSerializer.SerializeToUtf8Bytes(value, WorkerSerializer.Options));

    /// <summary>Takes the oldest message as a <typeparamref name="T"/> written by <see cref="PutObject{T}(T)"/>.</summary>
    /// <exception cref="QueueShutDownException">The queue is shut down and empty.</exception>
    [RequiresUnreferencedCode("The value is deserialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is deserialized with System.Text.Json reflection.")]
    public T GetObject<T>() => JsonSerializer.Deserialize<T>(Get(), WorkerSerializer.Options)!;

    /// <summary>Takes the oldest message as a <typeparamref name="T"/>, waiting up to <paramref name="timeout"/>.</summary>
    [RequiresUnreferencedCode("The value is deserialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is deserialized with System.Text.Json reflection.")]
    public bool TryGetObject<T>(out T? value, TimeSpan timeout)
    {
        value = default;
        if (!TryGet(out var message, timeout))
            return false;
        value = JsonSerializer.Deserialize<T>(message, WorkerSerializer.Options);
        return true;
    }

    /// <summary>
    /// Shuts the queue down for every process (Python 3.13's <c>shutdown()</c>): puts throw, gets take
    /// what is left and then throw, and everyone waiting wakes up. A poison pill per consumer is the
    /// other way to stop consumers, in order, after the work before it.
    /// </summary>
    public void Shutdown()
    {
        Interlocked.Exchange(ref *Word(ShutDownFlag), 1);
        Interlocked.Increment(ref *Word(Items));
        Interlocked.Increment(ref *Word(Space));
        Futex.Wake(Word(Items), int.MaxValue);
        Futex.Wake(Word(Space), int.MaxValue);
    }

    private protected static SharedMemory CreateSegment(int capacity, string? name, SharedKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        return CreateSegment(name, DataOffset + (long)capacity, kind, segment => segment.Ref<long>(CapacityOffset) = capacity);
    }

    /// <summary>Called with the queue's lock held, just before a put becomes visible.</summary>
    private protected virtual void OnPutting()
    {
    }

    private bool TryPutCore(ReadOnlySpan<byte> message, long deadline)
    {
        var needed = sizeof(int) + (long)message.Length;
        if (needed > Capacity)
            throw new ArgumentException($"A message of {message.Length} bytes can never fit in the queue '{Name}', whose ring holds {Capacity} bytes; create it with a larger capacity.", nameof(message));
        while (true)
        {
            var seen = 0;
            var put = false;
            Lock();
            try
            {
                if (IsShutDown)
                    throw new QueueShutDownException(Name);
                var tail = Tail;
                if (Capacity - (tail - Head) >= needed)
                {
                    var length = message.Length;
                    Copy(tail, new ReadOnlySpan<byte>(&length, sizeof(int)));
                    Copy(tail + sizeof(int), message);
                    OnPutting();
                    Volatile.Write(ref Tail, tail + needed);
                    Interlocked.Increment(ref *Word(Items));
                    put = true;
                }
                else
                {
                    seen = Volatile.Read(ref *Word(Space));
                }
            }
            finally
            {
                Unlock();
            }

            if (put)
            {
                WakeAll(Items, GettersWait);
                return true;
            }

            if (_spaceSpin.SpinWhile(Word(Space), seen))
                continue;
            if (!Sleep(Space, PuttersWait, seen, deadline))
                return false;
        }
    }

    private byte[]? TryGetCore(long deadline, bool throwWhenShutDown = true)
    {
        while (true)
        {
            byte[]? message = null;
            int seen;
            Lock();
            try
            {
                var head = Head;
                if (head != Tail)
                {
                    int length;
                    CopyOut(head, new Span<byte>(&length, sizeof(int)));
                    message = new byte[length];
                    CopyOut(head + sizeof(int), message);
                    Volatile.Write(ref Head, head + sizeof(int) + length);
                    Interlocked.Increment(ref *Word(Space));
                    seen = 0; // unused: a message was taken
                }
                else if (IsShutDown)
                {
                    return throwWhenShutDown ? throw new QueueShutDownException(Name) : null;
                }
                else
                {
                    seen = Volatile.Read(ref *Word(Items));
                }
            }
            finally
            {
                Unlock();
            }

            if (message is not null)
            {
                WakeAll(Space, PuttersWait);
                return message;
            }

            if (_itemsSpin.SpinWhile(Word(Items), seen))
                continue;
            if (!Sleep(Items, GettersWait, seen, deadline))
                return null;
        }
    }

    private void Lock() => PidLock.Acquire(Word(LockOwner), Word(LockSleepers), _lockSpin, blocking: true, Futex.NoDeadline, out _);

    private void Unlock() => PidLock.Release(Word(LockOwner), Word(LockSleepers));

    private bool Sleep(int sequence, int waitFlag, int seen, long deadline)
    {
        Interlocked.Exchange(ref *Word(waitFlag), 1);
        return Futex.Wait(Word(sequence), seen, deadline);
    }

    // Every sleeper wakes and looks again: one that timed out could otherwise swallow a lone wake-up.
    // The plain read first keeps the common case, nobody asleep, free of a locked instruction.
    private void WakeAll(int sequence, int waitFlag)
    {
        var flag = Word(waitFlag);
        if (Volatile.Read(ref *flag) != 0 && Interlocked.Exchange(ref *flag, 0) != 0)
            Futex.Wake(Word(sequence), int.MaxValue);
    }

    private void Copy(long position, ReadOnlySpan<byte> bytes)
    {
        var ring = new Span<byte>((byte*)Segment.Address + DataOffset, (int)Capacity);
        var at = (int)(position % Capacity);
        var first = Math.Min(bytes.Length, ring.Length - at);
        bytes[..first].CopyTo(ring[at..]);
        bytes[first..].CopyTo(ring);
    }

    private void CopyOut(long position, Span<byte> bytes)
    {
        var ring = new ReadOnlySpan<byte>((byte*)Segment.Address + DataOffset, (int)Capacity);
        var at = (int)(position % Capacity);
        var first = Math.Min(bytes.Length, ring.Length - at);
        ring.Slice(at, first).CopyTo(bytes);
        ring[..(bytes.Length - first)].CopyTo(bytes[first..]);
    }
}
