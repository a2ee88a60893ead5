using System.Buffers;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// The frames between a pool and its long-lived workers, after the first frame (a
/// <see cref="WorkerCall"/> that names the worker and runs the pool's initializer, answered by a
/// <see cref="WorkerReply"/>):
/// <code>
/// parent → worker   {"id":7,"target":{…},"instance":…,"items":[[args…],[args…]]}   target sent once per worker
///                   {"exit":true}                                                  finish and exit with 0
/// worker → parent   {"values":[v1,v2]}  or  {"index":1,"error":{type,message,stackTrace}}
/// </code>
/// A task holds a chunk of calls of one target; the reply carries every value, or the first error.
/// </summary>
internal static class PoolWire
{
    internal static byte[] Task(int targetId, TargetReference? target, JsonElement? instance, IReadOnlyList<JsonElement[]> items) => Write(json =>
    {
        json.WriteNumber("id", targetId);
        if (target is not null)
        {
            json.WritePropertyName("target");
            WorkerWire.WriteTarget(json, target);
            if (instance is { } i)
            {
                json.WritePropertyName("instance");
                i.WriteTo(json);
            }
        }

        json.WriteStartArray("items");
        foreach (var item in items)
        {
            json.WriteStartArray();
            foreach (var argument in item)
                argument.WriteTo(json);
            json.WriteEndArray();
        }

        json.WriteEndArray();
    });

    internal static byte[] Exit() => Write(json => json.WriteBoolean("exit", true));

    internal static byte[] Values(IReadOnlyList<JsonElement?> values) => Write(json =>
    {
        json.WriteStartArray("values");
        foreach (var value in values)
        {
            if (value is { } v)
                v.WriteTo(json);
            else
                json.WriteNullValue();
        }

        json.WriteEndArray();
    });

    internal static byte[] Error(int index, RemoteError error) => Write(json =>
    {
        json.WriteNumber("index", index);
        json.WritePropertyName("error");
        WorkerWire.WriteError(json, error);
    });

    /// <summary>A reply: the values, or the index of the call that failed and its error.</summary>
    internal static (JsonElement[]? Values, int Index, RemoteError? Error) ReadReply(byte[] frame)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
            return (null, root.GetProperty("index").GetInt32(), WorkerWire.ReadError(error));
        return ([.. root.GetProperty("values").EnumerateArray().Select(v => v.Clone())], 0, null);
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return Ipc.Frames.Encode(buffer.WrittenSpan);
    }
}
