using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// The calls of one chunk, written straight into the JSON array a task frame carries, or, after
/// <see cref="UseCompact"/>, into <see cref="CompactWire"/>'s items (a compact pool target). Taken with
/// <see cref="Rent"/> and given back by <see cref="Dispose"/>: each thread keeps one, so a submit or
/// a chunk of one call allocates only the bytes it sends.
/// </summary>
internal sealed class PoolItems : IDisposable
{
    [ThreadStatic]
    private static PoolItems? t_spare;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;
    private CompactKind _compact;
    private bool _started;

    private PoolItems()
    {
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>An empty list of calls: this thread's spare one, or a new one.</summary>
    internal static PoolItems Rent()
    {
        var items = t_spare ?? new PoolItems();
        t_spare = null;
        return items;
    }

    internal int Count { get; private set; }

    /// <summary>Writes the calls (none added yet) in compact form, as values of <paramref name="kind"/>.</summary>
    internal void UseCompact(CompactKind kind)
    {
        if (_started)
            throw new InvalidOperationException("The form of a chunk is chosen before its first call.");
        _started = true;
        _compact = kind;
        _buffer.GetSpan(CompactWire.ItemsHeaderLength)[0] = (byte)kind;
        _buffer.Advance(CompactWire.ItemsHeaderLength);
    }

    /// <summary>Adds a call whose arguments are already serialized.</summary>
    internal void Add(JsonElement[] arguments)
    {
        StartJson();
        _json.WriteStartArray();
        foreach (var argument in arguments)
            argument.WriteTo(_json);
        _json.WriteEndArray();
        Count++;
    }

    /// <summary>Adds a call, serializing its arguments as <paramref name="target"/>'s parameter types.</summary>
    /// <exception cref="ArgumentException">An argument cannot be sent.</exception>
    internal void Add(PoolTarget target, object?[] arguments)
    {
        if (_compact != CompactKind.None)
        {
            target.CheckCompact(arguments);
            CompactWire.WriteBoxed(_buffer, _compact, arguments[0]);
            Count++;
            return;
        }

        StartJson();
        _json.WriteStartArray();
        target.Write(_json, arguments);
        _json.WriteEndArray();
        Count++;
    }

    /// <summary>Adds a call of a one-parameter method whose parameter is exactly <typeparamref name="T"/>: no argument array, no boxing.</summary>
    /// <exception cref="ArgumentException">The value cannot be sent.</exception>
    internal void Add<T>(PoolTarget target, T argument)
    {
        if (_compact != CompactKind.None && CompactValue<T>.Kind == _compact)
        {
            CompactValue<T>.Write(_buffer, argument);
            Count++;
            return;
        }

        if (_compact != CompactKind.None)
        {
            Add(target, [argument]);
            return;
        }

        StartJson();
        _json.WriteStartArray();
        try
        {
            WireValue<T>.Write(_json, argument);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw target.Unsendable(0, e);
        }

        _json.WriteEndArray();
        Count++;
    }

    /// <summary>The JSON array of the calls' argument arrays.</summary>
    internal byte[] ToArray()
    {
        if (_compact != CompactKind.None)
        {
            var written = _buffer.WrittenSpan.ToArray();
            BinaryPrimitives.WriteInt32LittleEndian(written.AsSpan(1), Count);
            return written;
        }

        StartJson();
        _json.WriteEndArray();
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Empties the list and keeps it as this thread's spare (a large one is let go).</summary>
    public void Dispose()
    {
        _json.Reset();
        Count = 0;
        _compact = CompactKind.None;
        _started = false;
        if (_buffer.Capacity > 64 * 1024)
        {
            _json.Dispose();
            return;
        }

        _buffer.ResetWrittenCount();
        t_spare = this;
    }

    /// <summary>A JSON chunk opens its array before the first call (or at the end, when empty).</summary>
    private void StartJson()
    {
        if (_started)
            return;
        _started = true;
        _json.WriteStartArray();
    }
}
