using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fanout;

/// <summary>
/// Writes and reads values of one declared type <typeparamref name="T"/> in a frame, with no boxing:
/// numbers, text and booleans directly (the type tests fold away when the JIT specializes the
/// method), anything else through the serializer with its metadata looked up once. The output is
/// what <see cref="WorkerSerializer.Write"/> writes for the same declared type, so both sides may mix them.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = WorkerSerializer.Justification)]
internal static class WireValue<T>
{
    private static JsonTypeInfo<T>? s_info;

    /// <summary>The serializer's metadata, built on first use only: primitives never need it, and it costs a cold worker milliseconds.</summary>
    private static JsonTypeInfo<T> Info => s_info ??= (JsonTypeInfo<T>)WorkerSerializer.Options.GetTypeInfo(typeof(T));

    internal static void Write(Utf8JsonWriter json, T value)
    {
        if (typeof(T) == typeof(int))
            json.WriteNumberValue((int)(object)value!);
        else if (typeof(T) == typeof(long))
            json.WriteNumberValue((long)(object)value!);
        else if (typeof(T) == typeof(bool))
            json.WriteBooleanValue((bool)(object)value!);
        else if (typeof(T) == typeof(double) && double.IsFinite((double)(object)value!))
            json.WriteNumberValue((double)(object)value!);
        else if (typeof(T) == typeof(string))
            WriteText(json, (string?)(object?)value);
        else
            JsonSerializer.Serialize(json, value, Info);
    }

    /// <exception cref="JsonException">The JSON is not a <typeparamref name="T"/>.</exception>
    /// <exception cref="InvalidOperationException">The JSON has the wrong kind for <typeparamref name="T"/>.</exception>
    internal static T Read(JsonElement element)
    {
        if (typeof(T) == typeof(int) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var i))
            return (T)(object)i;
        if (typeof(T) == typeof(long) && element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var l))
            return (T)(object)l;
        if (typeof(T) == typeof(double) && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d))
            return (T)(object)d;
        if (typeof(T) == typeof(bool) && element.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return (T)(object)element.GetBoolean();
        if (typeof(T) == typeof(string) && element.ValueKind is JsonValueKind.String or JsonValueKind.Null)
            return (T)(object?)element.GetString()!;
        return element.Deserialize(Info)!;
    }

    private static void WriteText(Utf8JsonWriter json, string? text)
    {
        if (text is null)
            json.WriteNullValue();
        else
            json.WriteStringValue(text);
    }
}
