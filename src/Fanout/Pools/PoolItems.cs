using System.Buffers;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// The calls of one chunk, written straight into the JSON array a task frame carries. Taken with
/// <see cref="Rent"/> and given back by <see cref="Dispose"/>: each thread keeps one, so a submit or
/// a chunk of one call allocates only the bytes it sends.
/// </summary>
internal sealed class PoolItems : IDisposable
{
    [ThreadStatic]
    private static PoolItems? t_spare;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;

    private PoolItems()
    {
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>An empty list of calls: this thread's spare one, or a new one.</summary>
    internal static PoolItems Rent()
    {
        var items = t_spare ?? new PoolItems();
        t_spare = null;
        items._json.WriteStartArray();
        return items;
    }

    internal int Count { get; private set; }

    /// <summary>Adds a call whose arguments are already serialized.</summary>
    internal void Add(JsonElement[] arguments)
    {
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
        _json.WriteStartArray();
        target.Write(_json, arguments);
        _json.WriteEndArray();
        Count++;
    }

    /// <summary>Adds a call of a one-parameter method whose parameter is exactly <typeparamref name="T"/>: no argument array, no boxing.</summary>
    /// <exception cref="ArgumentException">The value cannot be sent.</exception>
    internal void Add<T>(PoolTarget target, T argument)
    {
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
        _json.WriteEndArray();
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Empties the list and keeps it as this thread's spare (a large one is let go).</summary>
    public void Dispose()
    {
        _json.Reset();
        Count = 0;
        if (_buffer.Capacity > 64 * 1024)
        {
            _json.Dispose();
            return;
        }

        _buffer.ResetWrittenCount();
        t_spare = this;
    }
}
