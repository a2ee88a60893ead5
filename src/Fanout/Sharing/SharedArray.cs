using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A fixed-length array of unmanaged <typeparamref name="T"/> shared between processes
/// (Python's <c>multiprocessing.Array</c>, without the lock and without numpy), with atomic
/// operations on its elements: <see cref="Add"/>, <see cref="Exchange"/>, <see cref="CompareExchange"/>.
/// Elements are aligned to 16 bytes from the start, so 4- and 8-byte elements are atomic.
/// </summary>
/// <typeparam name="T">The element type: any unmanaged type (numbers, enums, structs of them).</typeparam>
/// <example>
/// <code>
/// using var counts = SharedArray&lt;long&gt;.Create(8);
/// counts.Add(3, 1);                 // atomically, from any process
/// long[] copy = counts.AsSpan().ToArray();
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Create and Attach name the element type once, as Python's Array('q', n) does.")]
public sealed unsafe class SharedArray<T> : SharedObject, IAttachable<SharedArray<T>>
    where T : unmanaged
{
    // Header: word 0 the kind, word 1 sizeof(T), words 2-3 the length; elements from byte 16.
    internal const int DataOffset = 16;

    private SharedArray(SharedMemory segment)
        : base(segment)
    {
        Length = (int)segment.Ref<long>(8);
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    private protected override string Kind => $"shared array of {typeof(T).Name}";

    /// <summary>A reference to element <paramref name="index"/> (plain reads and writes; use the atomic methods to share updates).</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    public ref T this[int index] => ref AsSpan()[index];

    /// <summary>Creates an array of <paramref name="length"/> zeros.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is zero or negative.</exception>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static SharedArray<T> Create(int length, string? name = null) => new(CreateArray(length, name));

    /// <summary>Attaches to the array <paramref name="name"/>; its length comes from the segment.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">It is not an array, or its elements are not the size of <typeparamref name="T"/>.</exception>
    public static SharedArray<T> Attach(string name) => new(AttachArray(name));

    static SharedArray<T> IAttachable<SharedArray<T>>.AttachByName(string name) => Attach(name);

    /// <summary>The elements as a span (valid until this process closes the array).</summary>
    public Span<T> AsSpan() => new((byte*)Segment.Address + DataOffset, Length);

    /// <summary>Reads element <paramref name="index"/> with acquire ordering.</summary>
    public T Read(int index) => Atomic<T>.Read(ref this[index]);

    /// <summary>Writes element <paramref name="index"/> with release ordering.</summary>
    public void Write(int index, T value) => Atomic<T>.Write(ref this[index], value);

    /// <summary>Atomically adds <paramref name="delta"/> to element <paramref name="index"/>; returns the new value.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    public T Add(int index, T delta) => Atomic<T>.Add(ref this[index], delta);

    /// <summary>Atomically stores <paramref name="value"/> in element <paramref name="index"/>; returns what was there.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not 4 or 8 bytes.</exception>
    public T Exchange(int index, T value) => Atomic<T>.Exchange(ref this[index], value);

    /// <summary>Atomically stores <paramref name="value"/> in element <paramref name="index"/> if it holds <paramref name="comparand"/>; returns what was there.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not 4 or 8 bytes.</exception>
    public T CompareExchange(int index, T value, T comparand) => Atomic<T>.CompareExchange(ref this[index], value, comparand);

    internal static SharedMemory CreateArray(int length, string? name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return CreateSegment(name, DataOffset + ((long)length * sizeof(T)), SharedKind.Array, segment =>
        {
            segment.Ref<int>(4) = sizeof(T);
            segment.Ref<long>(8) = length;
        });
    }

    internal static SharedMemory AttachArray(string name)
    {
        var segment = AttachSegment(name, SharedKind.Array);
        var elementSize = segment.Ref<int>(4);
        if (elementSize == Unsafe.SizeOf<T>())
            return segment;
        segment.Close();
        throw new FanoutException($"'{name}' holds elements of {elementSize} bytes, but a {typeof(T).Name} has {Unsafe.SizeOf<T>()}: attach with the element type it was created with.");
    }
}
