using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Fanout;

/// <summary>
/// The envelopes on a worker's pipes, written with <see cref="Utf8JsonWriter"/> and read from a
/// <see cref="JsonDocument"/> by hand. Both are precompiled in the framework, so a fresh worker
/// reads its call in a few milliseconds; serializer metadata for the envelope types (reflection or
/// source-generated, both compiled on first use) cost tens of milliseconds of every cold start.
/// </summary>
internal static class WorkerWire
{
    internal static byte[] Write(WorkerCall call)
    {
        return WriteJson(json =>
        {
            json.WriteString("name", call.Name);
            json.WriteStartArray("identity");
            foreach (var n in call.Identity)
                json.WriteNumberValue(n);
            json.WriteEndArray();
            json.WriteNumber("parentPid", call.ParentPid);
            json.WriteBoolean("daemon", call.Daemon);
            if (call.StderrLogLevel is { } level)
                json.WriteNumber("stderrLogLevel", (int)level);
            json.WritePropertyName("target");
            WriteTarget(json, call.Target);
            json.WriteStartArray("arguments");
            foreach (var argument in call.Arguments)
                argument.WriteTo(json);
            json.WriteEndArray();
            if (call.Instance is { } instance)
            {
                json.WritePropertyName("instance");
                instance.WriteTo(json);
            }

            if (call.InheritedDescriptors > 0)
                json.WriteNumber("inheritedDescriptors", call.InheritedDescriptors);
        });
    }

    internal static WorkerCall ReadCall(byte[] frame)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        return new WorkerCall
        {
            Name = root.GetProperty("name").GetString()!,
            Identity = [.. root.GetProperty("identity").EnumerateArray().Select(e => e.GetInt32())],
            ParentPid = root.GetProperty("parentPid").GetInt32(),
            Daemon = root.GetProperty("daemon").GetBoolean(),
            StderrLogLevel = root.TryGetProperty("stderrLogLevel", out var level) ? (LogLevel)level.GetInt32() : null,
            Target = ReadTarget(root.GetProperty("target")),
            Arguments = [.. root.GetProperty("arguments").EnumerateArray().Select(e => e.Clone())],
            Instance = root.TryGetProperty("instance", out var instance) ? instance.Clone() : null,
            InheritedDescriptors = root.TryGetProperty("inheritedDescriptors", out var inherited) ? inherited.GetInt32() : 0,
        };
    }

    internal static byte[] Write(WorkerReply reply)
    {
        return WriteJson(json =>
        {
            if (reply.Value is { } value)
            {
                json.WritePropertyName("value");
                value.WriteTo(json);
            }

            if (reply.Error is { } error)
            {
                json.WritePropertyName("error");
                WriteError(json, error);
            }
        });
    }

    internal static WorkerReply ReadReply(byte[] frame)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        return new WorkerReply
        {
            Value = root.TryGetProperty("value", out var value) ? value.Clone() : null,
            Error = root.TryGetProperty("error", out var error) ? ReadError(error) : null,
        };
    }

    /// <summary>Writes a target reference as an object (also used by the pool's task frames).</summary>
    internal static void WriteTarget(Utf8JsonWriter json, TargetReference target)
    {
        json.WriteStartObject();
        json.WriteNumber("kind", (int)target.Kind);
        json.WriteString("assembly", target.Assembly);
        if (target.AssemblyPath is { } path)
            json.WriteString("assemblyPath", path);
        json.WriteString("moduleVersionId", target.ModuleVersionId);
        json.WriteString("type", target.Type);
        if (target.Method is { } method)
            json.WriteString("method", method);
        json.WriteNumber("methodToken", target.MethodToken);
        json.WriteStartArray("genericArguments");
        foreach (var name in target.GenericArguments)
            json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteTarget"/> wrote.</summary>
    internal static TargetReference ReadTarget(JsonElement target) => new()
    {
        Kind = (TargetKind)target.GetProperty("kind").GetInt32(),
        Assembly = target.GetProperty("assembly").GetString()!,
        AssemblyPath = target.TryGetProperty("assemblyPath", out var path) ? path.GetString() : null,
        ModuleVersionId = target.GetProperty("moduleVersionId").GetGuid(),
        Type = target.GetProperty("type").GetString()!,
        Method = target.TryGetProperty("method", out var method) ? method.GetString() : null,
        MethodToken = target.GetProperty("methodToken").GetInt32(),
        GenericArguments = [.. target.GetProperty("genericArguments").EnumerateArray().Select(e => e.GetString()!)],
    };

    internal static void WriteError(Utf8JsonWriter json, RemoteError error)
    {
        json.WriteStartObject();
        json.WriteString("type", error.Type);
        json.WriteString("message", error.Message);
        if (error.StackTrace is { } stack)
            json.WriteString("stackTrace", stack);
        if (error.Inner is { } inner)
        {
            json.WritePropertyName("inner");
            WriteError(json, inner);
        }

        json.WriteEndObject();
    }

    internal static RemoteError ReadError(JsonElement error) => new(
        error.GetProperty("type").GetString()!,
        error.GetProperty("message").GetString()!,
        error.TryGetProperty("stackTrace", out var stack) ? stack.GetString() : null,
        error.TryGetProperty("inner", out var inner) ? ReadError(inner) : null);

    private static byte[] WriteJson(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
