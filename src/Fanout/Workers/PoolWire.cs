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
/// These are payloads: a pipe carries each in a frame (<see cref="Ipc.Frames"/>); a
/// <see cref="SlurmExecutor"/> writes a task and its reply as plain files in the shared folder.
/// </summary>
internal static class PoolWire
{
    internal static byte[] Task(int targetId, TargetReference? target, JsonElement? instance, byte[] items) => Write(json =>
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

        json.WritePropertyName("items");
        json.WriteRawValue(items, skipInputValidation: true);
    });

    internal static byte[] Exit() => Write(json => json.WriteBoolean("exit", true));

    /// <summary>A reply with values, written by <paramref name="values"/> into the open "values" array.</summary>
    internal static byte[] Values(Action<Utf8JsonWriter> values) => Write(json =>
    {
        json.WriteStartArray("values");
        values(json);
        json.WriteEndArray();
    });

    internal static byte[] Error(int index, RemoteError error) => Write(json =>
    {
        json.WriteNumber("index", index);
        json.WritePropertyName("error");
        WorkerWire.WriteError(json, error);
    });

    /// <summary>A reply (read from <paramref name="document"/>, which must outlive the values): the values array, or the index of the call that failed and its error.</summary>
    internal static (JsonElement Values, int Index, RemoteError? Error) ReadReply(JsonDocument document)
    {
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
            return (default, root.GetProperty("index").GetInt32(), WorkerWire.ReadError(error));
        return (root.GetProperty("values"), 0, null);
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

        return buffer.WrittenSpan.ToArray();
    }
}
