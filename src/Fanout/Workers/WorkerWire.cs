using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Fanout;

/// <summary>
/// The envelopes on a worker's pipes. The call and the reply are binary (a <see cref="BinaryWriter"/>
/// layout; values inside them stay JSON): a fresh worker reads its call with code the framework
/// has precompiled, where a JSON document or serializer metadata costs tens of milliseconds of
/// every cold start. So is the target of a pool's compact task (<see cref="WritePoolTarget"/>);
/// the target's JSON form below is the one the pools' JSON task frames carry.
/// </summary>
internal static class WorkerWire
{
    /// <summary>Changes whenever the binary layout does: a worker from another build refuses the call instead of misreading it.</summary>
    private const int Version = 1;

    internal static byte[] Write(WorkerCall call)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(call.Name);
            writer.Write(call.Identity.Length);
            foreach (var n in call.Identity)
                writer.Write(n);
            writer.Write(call.ParentPid);
            writer.Write(call.Daemon);
            writer.Write(call.StderrLogLevel is { } level ? (int)level : -1);
            WriteTarget(writer, call.Target);
            writer.Write(call.Arguments.Length);
            foreach (var argument in call.Arguments)
                WriteBytes(writer, argument);
            WriteOptionalBytes(writer, call.Instance);
            writer.Write(call.InheritedDescriptors);
        }

        return buffer.ToArray();
    }

    /// <exception cref="IOException">The frame is not a call of this build's layout (cut short, or from another version).</exception>
    internal static WorkerCall ReadCall(byte[] frame) => Read(frame, reader =>
    {
        var version = reader.ReadInt32();
        if (version != Version)
            throw new IOException($"The worker received a call in layout {version}, but it reads layout {Version}: the parent runs another build of Fanout.");
        var name = reader.ReadString();
        var identity = new int[Count(reader)];
        for (var i = 0; i < identity.Length; i++)
            identity[i] = reader.ReadInt32();
        var parentPid = reader.ReadInt32();
        var daemon = reader.ReadBoolean();
        var level = reader.ReadInt32();
        var target = ReadTarget(reader);
        var arguments = new byte[Count(reader)][];
        for (var i = 0; i < arguments.Length; i++)
            arguments[i] = ReadBytes(reader);
        return new WorkerCall
        {
            Name = name,
            Identity = identity,
            ParentPid = parentPid,
            Daemon = daemon,
            StderrLogLevel = level < 0 ? null : (LogLevel)level,
            Target = target,
            Arguments = arguments,
            Instance = ReadOptionalBytes(reader),
            InheritedDescriptors = reader.ReadInt32(),
        };
    });

    internal static byte[] Write(WorkerReply reply)
    {
        using var buffer = new MemoryStream(64);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            WriteOptionalBytes(writer, reply.Value);
            writer.Write(reply.Error is not null);
            if (reply.Error is { } error)
                WriteError(writer, error);
        }

        return buffer.ToArray();
    }

    /// <exception cref="IOException">The frame is not a reply (cut short).</exception>
    internal static WorkerReply ReadReply(byte[] frame) => Read(frame, reader => new WorkerReply
    {
        Value = ReadOptionalBytes(reader),
        Error = reader.ReadBoolean() ? ReadError(reader) : null,
    });

    /// <summary>A value's raw JSON, as the binary envelopes carry it.</summary>
    internal static byte[] RawJson(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).ToArray();

    /// <summary>
    /// Appends a pool task's target in the binary layout: the reference, then the instance's raw
    /// JSON when the target has one. A worker reads its first task with precompiled code, as it
    /// reads its call: parsing a JSON document there was most of the time to a pool's first result.
    /// </summary>
    internal static void WritePoolTarget(IBufferWriter<byte> output, TargetReference target, JsonElement? instance)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            WriteTarget(writer, target);
            WriteOptionalBytes(writer, instance is { } i ? RawJson(i) : null);
        }

        output.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Reads what <see cref="WritePoolTarget"/> wrote, from <paramref name="count"/> bytes of <paramref name="frame"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="IOException">The bytes are not a target (cut short, or from another build).</exception>
    internal static (TargetReference Target, byte[]? InstanceJson) ReadPoolTarget(byte[] frame, int offset, int count) =>
        Read(frame, offset, count, reader => (ReadTarget(reader), ReadOptionalBytes(reader)));

    private static T Read<T>(byte[] frame, Func<BinaryReader, T> body) => Read(frame, 0, frame.Length, body);

    private static T Read<T>(byte[] frame, int offset, int count, Func<BinaryReader, T> body)
    {
        using var reader = new BinaryReader(new MemoryStream(frame, offset, count, writable: false), Encoding.UTF8);
        try
        {
            var read = body(reader);
            if (reader.BaseStream.Position != count)
                throw new IOException($"A worker frame has {count - reader.BaseStream.Position} byte(s) after its end: the two sides run different builds of Fanout.");
            return read;
        }
        catch (EndOfStreamException e)
        {
            throw new IOException($"A worker frame of {count} byte(s) ends before its last field.", e);
        }
    }

    private static void WriteTarget(BinaryWriter writer, TargetReference target)
    {
        writer.Write((int)target.Kind);
        writer.Write(target.Assembly);
        WriteOptionalString(writer, target.AssemblyPath);
        writer.Write(target.ModuleVersionId.ToByteArray());
        writer.Write(target.NativeAssemblyIndex);
        writer.Write(target.Type);
        WriteOptionalString(writer, target.Method);
        writer.Write(target.MethodToken);
        WriteOptionalString(writer, target.Signature);
        writer.Write(target.TypeToken);
        writer.Write(target.GenericArguments.Length);
        foreach (var name in target.GenericArguments)
            writer.Write(name);
    }

    private static TargetReference ReadTarget(BinaryReader reader)
    {
        var kind = (TargetKind)reader.ReadInt32();
        var assembly = reader.ReadString();
        var path = ReadOptionalString(reader);
        var moduleVersionId = new Guid(ReadExactly(reader, 16));
        var assemblyIndex = reader.ReadInt32();
        var type = reader.ReadString();
        var method = ReadOptionalString(reader);
        var methodToken = reader.ReadInt32();
        var signature = ReadOptionalString(reader);
        var typeToken = reader.ReadInt32();
        var generic = new string[Count(reader)];
        for (var i = 0; i < generic.Length; i++)
            generic[i] = reader.ReadString();
        return new TargetReference
        {
            Kind = kind,
            Assembly = assembly,
            AssemblyPath = path,
            ModuleVersionId = moduleVersionId,
            NativeAssemblyIndex = assemblyIndex,
            Type = type,
            Method = method,
            MethodToken = methodToken,
            Signature = signature,
            TypeToken = typeToken,
            GenericArguments = generic,
        };
    }

    private static void WriteError(BinaryWriter writer, RemoteError error)
    {
        writer.Write(error.Type);
        writer.Write(error.Message);
        WriteOptionalString(writer, error.StackTrace);
        writer.Write(error.Inner is not null);
        if (error.Inner is { } inner)
            WriteError(writer, inner);
    }

    private static RemoteError ReadError(BinaryReader reader) => new(
        reader.ReadString(),
        reader.ReadString(),
        ReadOptionalString(reader),
        reader.ReadBoolean() ? ReadError(reader) : null);

    private static void WriteOptionalString(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null)
            writer.Write(text);
    }

    private static string? ReadOptionalString(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader) => ReadExactly(reader, Count(reader));

    private static byte[] ReadExactly(BinaryReader reader, int length)
    {
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new EndOfStreamException();
    }

    private static void WriteOptionalBytes(BinaryWriter writer, byte[]? bytes)
    {
        writer.Write(bytes is not null);
        if (bytes is not null)
            WriteBytes(writer, bytes);
    }

    private static byte[]? ReadOptionalBytes(BinaryReader reader) => reader.ReadBoolean() ? ReadBytes(reader) : null;

    /// <summary>A length or count, checked against the frame so a damaged one cannot ask for gigabytes.</summary>
    private static int Count(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        return count >= 0 && count <= reader.BaseStream.Length - reader.BaseStream.Position
            ? count
            : throw new IOException($"A worker frame holds a count of {count}, more than the bytes left in it.");
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
        if (target.NativeAssemblyIndex >= 0)
            json.WriteNumber("nativeAssemblyIndex", target.NativeAssemblyIndex);
        json.WriteString("type", target.Type);
        if (target.Method is { } method)
            json.WriteString("method", method);
        json.WriteNumber("methodToken", target.MethodToken);
        if (target.Signature is { } signature)
            json.WriteString("signature", signature);
        if (target.TypeToken != 0)
            json.WriteNumber("typeToken", target.TypeToken);
        json.WriteStartArray("genericArguments");
        foreach (var name in target.GenericArguments)
            json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteTarget(Utf8JsonWriter, TargetReference)"/> wrote.</summary>
    internal static TargetReference ReadTarget(JsonElement target) => new()
    {
        Kind = (TargetKind)target.GetProperty("kind").GetInt32(),
        Assembly = target.GetProperty("assembly").GetString()!,
        AssemblyPath = target.TryGetProperty("assemblyPath", out var path) ? path.GetString() : null,
        ModuleVersionId = target.GetProperty("moduleVersionId").GetGuid(),
        NativeAssemblyIndex = target.TryGetProperty("nativeAssemblyIndex", out var assemblyIndex) ? assemblyIndex.GetInt32() : -1,
        Type = target.GetProperty("type").GetString()!,
        Method = target.TryGetProperty("method", out var method) ? method.GetString() : null,
        MethodToken = target.GetProperty("methodToken").GetInt32(),
        Signature = target.TryGetProperty("signature", out var signature) ? signature.GetString() : null,
        TypeToken = target.TryGetProperty("typeToken", out var typeToken) ? typeToken.GetInt32() : 0,
        GenericArguments = ReadStrings(target.GetProperty("genericArguments")),
    };

    private static string[] ReadStrings(JsonElement array)
    {
        var strings = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var element in array.EnumerateArray())
            strings[i++] = element.GetString()!;
        return strings;
    }

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
}
