using System.Text.Json;
using Fanout.Ipc;

namespace Fanout;

/// <summary>
/// The frames between a pool and its long-lived workers, after the first frame (a
/// <see cref="WorkerCall"/> that names the worker and runs the pool's initializer, answered by a
/// <see cref="WorkerReply"/>):
/// <code>
/// parent → worker   {"id":7,"target":{…},"instance":…,"items":[[args…],[args…]]}   target sent once per worker
///                   0xF3                                                           finish and exit with 0 (CompactWire.ExitMarker)
/// worker → parent   {"values":[v1,v2]}  or  {"index":1,"error":{type,message,stackTrace}}
/// </code>
/// A task holds a chunk of calls of one target; the reply carries every value, or the first error.
/// Targets of one primitive parameter and a primitive result send their tasks (target included)
/// and values in binary forms instead (<see cref="CompactWire"/>, <see cref="WorkerWire.WritePoolTarget"/>;
/// errors stay JSON); the first byte of a frame tells the forms apart.
/// </summary>
internal static class PoolWire
{
    /// <summary>Appends a task frame to <paramref name="frames"/> (several may go out in one write).</summary>
    internal static void AppendTask(FrameBuffer frames, Utf8JsonWriter json, int targetId, TargetReference? target, JsonElement? instance, byte[] items)
    {
        if (IsCompact(items))
            AppendCompactTask(frames, targetId, target, instance, items);
        else
            AppendJsonTask(frames, json, targetId, target, instance, items);
    }

    /// <summary>True for items in <see cref="CompactWire"/>'s form (JSON items are an array).</summary>
    internal static bool IsCompact(ReadOnlySpan<byte> items) => items.Length > 0 && items[0] != (byte)'[';

    /// <summary>
    /// Appends a <see cref="CompactWire"/> task frame: its target, when sent, in the binary layout
    /// of <see cref="WorkerWire.WritePoolTarget"/> (a worker's first task then needs no JSON
    /// parser), then the compact items as they are.
    /// </summary>
    private static void AppendCompactTask(FrameBuffer frames, int targetId, TargetReference? target, JsonElement? instance, byte[] items)
    {
        frames.StartFrame();
        try
        {
            frames.GetSpan(1)[0] = CompactWire.TaskMarker;
            frames.Advance(1);
            CompactWire.WriteInt32(frames, targetId);
            var lengthAt = frames.Length;
            CompactWire.WriteInt32(frames, 0);
            if (target is not null)
            {
                WorkerWire.WritePoolTarget(frames, target, instance);
                frames.PatchInt32(lengthAt, frames.Length - lengthAt - 4);
            }

            items.CopyTo(frames.GetSpan(items.Length));
            frames.Advance(items.Length);
        }
        catch
        {
            frames.AbandonFrame();
            throw;
        }

        frames.EndFrame();
    }

    private static void WriteTarget(Utf8JsonWriter json, TargetReference target, JsonElement? instance)
    {
        json.WritePropertyName("target");
        WorkerWire.WriteTarget(json, target);
        if (instance is { } i)
        {
            json.WritePropertyName("instance");
            i.WriteTo(json);
        }
    }

    private static void AppendJsonTask(FrameBuffer frames, Utf8JsonWriter json, int targetId, TargetReference? target, JsonElement? instance, byte[] items) =>
        Append(frames, json, json =>
        {
            json.WriteNumber("id", targetId);
            if (target is not null)
                WriteTarget(json, target, instance);
            json.WritePropertyName("items");
            json.WriteRawValue(items, skipInputValidation: true);
        });

    /// <summary>A task as a bare payload, without a frame's length (a cluster job reads it from a file).</summary>
    internal static byte[] Task(int targetId, TargetReference? target, JsonElement? instance, byte[] items)
    {
        var frames = new FrameBuffer();
        using var json = new Utf8JsonWriter(frames, new JsonWriterOptions { SkipValidation = true });
        AppendTask(frames, json, targetId, target, instance, items);
        return frames.OnlyPayload.ToArray();
    }

    /// <summary>The frame that tells a worker to finish, with its length.</summary>
    internal static byte[] Exit() => Ipc.Frames.Encode([CompactWire.ExitMarker]);

    /// <summary>Appends a reply with the values of <paramref name="runner"/>'s calls of <paramref name="items"/>; when a call throws, nothing is appended and <paramref name="index"/> names it.</summary>
    internal static void AppendValues(FrameBuffer frames, Utf8JsonWriter json, PoolTaskRunner runner, JsonElement items, ref int index)
    {
        frames.StartFrame();
        try
        {
            json.Reset(frames);
            json.WriteStartObject();
            json.WriteStartArray("values");
            runner.Run(items, json, ref index);
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
        }
        catch
        {
            json.Reset();
            frames.AbandonFrame();
            throw;
        }

        frames.EndFrame();
    }

    /// <summary>Appends a <see cref="CompactWire"/> reply with the values of <paramref name="runner"/>'s calls of compact <paramref name="items"/>; when a call throws, nothing is appended and <paramref name="index"/> names it.</summary>
    internal static void AppendCompactValues(FrameBuffer frames, PoolTaskRunner runner, ReadOnlySpan<byte> items, ref int index)
    {
        frames.StartFrame();
        try
        {
            frames.GetSpan(1)[0] = CompactWire.ValuesMarker;
            frames.Advance(1);
            runner.RunCompact(items, frames, ref index);
        }
        catch
        {
            frames.AbandonFrame();
            throw;
        }

        frames.EndFrame();
    }

    /// <summary>Appends a reply that carries the error of the call at <paramref name="index"/>.</summary>
    internal static void AppendError(FrameBuffer frames, Utf8JsonWriter json, int index, RemoteError error) =>
        Append(frames, json, json =>
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

    /// <summary>One frame's JSON object into <paramref name="frames"/>; a half-written frame is dropped when <paramref name="body"/> throws.</summary>
    private static void Append(FrameBuffer frames, Utf8JsonWriter json, Action<Utf8JsonWriter> body)
    {
        frames.StartFrame();
        try
        {
            json.Reset(frames);
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
            json.Flush();
        }
        catch
        {
            json.Reset();
            frames.AbandonFrame();
            throw;
        }

        frames.EndFrame();
    }
}
