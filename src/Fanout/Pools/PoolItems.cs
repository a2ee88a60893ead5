using System.Buffers;
using System.Text.Json;

namespace Fanout;

/// <summary>The calls of one chunk, written straight into the JSON array a task frame carries.</summary>
internal sealed class PoolItems : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;

    internal PoolItems()
    {
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        _json.WriteStartArray();
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

    public void Dispose() => _json.Dispose();
}
