using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// Sends a shared object (memory, value, semaphore, lock…) as its name; reading attaches to it by
/// name, so passing one to a <see cref="WorkerProcess"/> gives the worker the same object.
/// </summary>
internal sealed class SharedObjectJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsAssignableTo(typeof(ISharedByName));

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Shared object types are few and referenced by the caller's signature.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "Shared object types are few and referenced by the caller's signature.")]
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T>
        where T : IAttachable<T>
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? T.AttachByName(reader.GetString()!)
                : throw new JsonException($"A {typeof(T).Name} travels as its name (a string), not as {reader.TokenType}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
    }
}
