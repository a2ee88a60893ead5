using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// One unmanaged <typeparamref name="T"/> shared between processes (Python's <c>multiprocessing.Value</c>),
/// with atomic operations — a lock-free cross-process counter, which Python lacks.
/// It is a one-element <see cref="SharedArray{T}"/>: either can attach to the other.
/// </summary>
/// <example>
/// <code>
/// using var total = SharedValue&lt;long&gt;.Create();
/// // in each worker: total.Add(count);
/// Console.WriteLine(total.Value);
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Create and Attach name the element type once, as Python's Array('q', n) does.")]
public sealed unsafe class SharedValue<T> : SharedObject, IAttachable<SharedValue<T>>
    where T : unmanaged
{
    private readonly T* _value;

    private SharedValue(SharedMemory segment)
        : base(segment)
    {
        _value = (T*)((byte*)segment.Address + SharedArray<T>.DataOffset);
    }

    /// <summary>The value: reads with acquire and writes with release ordering (each whole, for 4- and 8-byte T).</summary>
    public T Value
    {
        get => Atomic<T>.Read(ref Ref);
        set => Atomic<T>.Write(ref Ref, value);
    }

    /// <summary>A reference to the value, for <see cref="Interlocked"/> or plain access under a lock.</summary>
    public ref T Ref
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return ref *_value;
        }
    }

    private protected override string Kind => $"shared {typeof(T).Name}";

    /// <summary>Creates the value, set to <paramref name="initial"/>.</summary>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedValue<T> Create(T initial = default, string? name = null)
    {
        var value = new SharedValue<T>(SharedArray<T>.CreateArray(1, name));
        value.Value = initial;
        return value;
    }

    /// <summary>Attaches to the value <paramref name="name"/>.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">It is not a value or array of a type the size of <typeparamref name="T"/>.</exception>
    public static SharedValue<T> Attach(string name) => new(SharedArray<T>.AttachArray(name));

    static SharedValue<T> IAttachable<SharedValue<T>>.AttachByName(string name) => Attach(name);

    /// <summary>Atomically adds <paramref name="delta"/>; returns the new value.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    public T Add(T delta) => Atomic<T>.Add(ref Ref, delta);

    /// <summary>Atomically stores <paramref name="value"/>; returns the old value.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not 4 or 8 bytes.</exception>
    public T Exchange(T value) => Atomic<T>.Exchange(ref Ref, value);

    /// <summary>Atomically stores <paramref name="value"/> if the value is <paramref name="comparand"/>; returns what was there.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not 4 or 8 bytes.</exception>
    public T CompareExchange(T value, T comparand) => Atomic<T>.CompareExchange(ref Ref, value, comparand);

    /// <inheritdoc />
    public override string ToString() => $"SharedValue<{typeof(T).Name}>(name='{Name}', value={(IsClosed ? "closed" : Value.ToString())})";
}
