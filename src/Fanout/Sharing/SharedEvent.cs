using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// An event shared between processes (Python's <c>multiprocessing.Event</c>): a flag that
/// <see cref="Set"/> raises, waking every process in <see cref="Wait"/>, and <see cref="Clear"/> lowers.
/// <para>Protocol: word 1 = the flag (the futex word), word 2 = sleepers; Set writes 1, then wakes all if anyone sleeps.</para>
/// </summary>
/// <example>
/// <code>
/// using var ready = SharedEvent.Create();
/// // worker: ready.Wait();          parent: ready.Set();
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public sealed unsafe class SharedEvent : SharedObject, IAttachable<SharedEvent>
{
    private const int Flag = 1;
    private const int Sleepers = 2;

    private SharedEvent(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>True while the flag is raised.</summary>
    public bool IsSet => Volatile.Read(ref *Word(Flag)) != 0;

    private protected override string Kind => "event";

    /// <summary>Creates an event, lowered.</summary>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedEvent Create(string? name = null) => new(CreateSegment(name, 64, SharedKind.Event));

    /// <summary>Attaches to the event <paramref name="name"/>.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not an event.</exception>
    public static SharedEvent Attach(string name) => new(AttachSegment(name, SharedKind.Event));

    static SharedEvent IAttachable<SharedEvent>.AttachByName(string name) => Attach(name);

    /// <summary>Raises the flag and wakes every waiting process.</summary>
    public void Set()
    {
        var flag = Word(Flag);
        Interlocked.Exchange(ref *flag, 1);
        if (Volatile.Read(ref *Word(Sleepers)) > 0)
            Futex.Wake(flag, int.MaxValue);
    }

    /// <summary>Lowers the flag.</summary>
    public void Clear() => Interlocked.Exchange(ref *Word(Flag), 0);

    /// <summary>Waits until the flag is raised, up to <paramref name="timeout"/> (null: forever); returns the flag.</summary>
    public bool Wait(TimeSpan? timeout = null)
    {
        var flag = Word(Flag);
        var deadline = Futex.Deadline(timeout);
        while (Volatile.Read(ref *flag) == 0)
        {
            Interlocked.Increment(ref *Word(Sleepers));
            try
            {
                if (!Futex.Wait(flag, 0, deadline))
                    break;
            }
            finally
            {
                Interlocked.Decrement(ref *Word(Sleepers));
            }
        }

        return Volatile.Read(ref *flag) != 0;
    }
}
