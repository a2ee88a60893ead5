using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Fanout;

/// <summary>
/// The JSON settings for values that cross to and from a worker. Values are written and read as
/// the target's declared types, so the wire never names a type to instantiate.
/// </summary>
internal static class WorkerSerializer
{
    internal const string Justification =
        "The types come from the target's signature, which the caller's delegate keeps; a trimmed or native application uses only its generated contexts (see Create).";

    /// <summary>Why a value other than a number, string, boolean or shared object cannot cross in a trimmed or native application.</summary>
    internal const string TrimmedApplication =
        "This application is trimmed or compiled ahead of time (NativeAOT), where values cross to and from a worker only as numbers, booleans, strings and shared objects " +
        "(the serializer's reflection cannot see the members of other types there). List other types in a source-generated JsonSerializerContext " +
        "and name it with [assembly: WorkerJsonContext(typeof(YourContext))].";

    private static JsonSerializerOptions? s_options;
    private static JsonSerializerOptions? s_subclassOptions;

    /// <summary>Arguments, results and objects: fields included (value tuples), NaN and infinities allowed.</summary>
    /// <remarks>Built on first use: a worker whose values are all numbers, text or booleans never pays for the serializer's set-up.</remarks>
    internal static JsonSerializerOptions Options => s_options ??= Create(subclass: false);

    /// <summary>For a <see cref="WorkerProcess"/> subclass: its own public state, none of the base class's.</summary>
    internal static JsonSerializerOptions SubclassOptions => s_subclassOptions ??= Create(subclass: true);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static object? Deserialize(JsonElement element, Type type) =>
        JsonPrimitives.TryRead(JsonMarshal.GetRawUtf8Value(element), type, out var primitive)
            ? primitive
            : element.Deserialize(type, Options);

    /// <summary>
    /// The JSON (UTF-8) of <paramref name="value"/> as a <paramref name="type"/>: numbers, text,
    /// booleans and shared objects without the serializer (see <see cref="JsonPrimitives"/>).
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static byte[] SerializeToUtf8(object? value, Type type, JsonSerializerOptions options) =>
        JsonSerializer.SerializeToUtf8Bytes(value, type, options);

    /// <inheritdoc cref="SerializeToUtf8(object?, Type, JsonSerializerOptions)"/>
    /// <remarks>No serializer type is in this signature: a worker whose values are all primitives never loads System.Text.Json.</remarks>
    internal static byte[] SerializeToUtf8(object? value, Type type) =>
        JsonPrimitives.TryWrite(value, type) ?? SerializeWithOptions(value, type);

    /// <summary>Reads what <see cref="SerializeToUtf8(object?, Type, JsonSerializerOptions)"/> wrote.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static object? Deserialize(byte[] json, Type type, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(json, type, options);

    /// <summary>Reads what <see cref="SerializeToUtf8(object?, Type)"/> wrote.</summary>
    internal static object? Deserialize(byte[] json, Type type) =>
        JsonPrimitives.TryRead(json, type, out var primitive) ? primitive : DeserializeWithOptions(json, type);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] SerializeWithOptions(object? value, Type type) => SerializeToUtf8(value, type, Options);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object? DeserializeWithOptions(byte[] json, Type type) => Deserialize(json, type, Options);

    /// <summary>
    /// Writes <paramref name="value"/> as <paramref name="type"/> into <paramref name="json"/>:
    /// numbers, text and booleans directly, anything else through the serializer. Pools write
    /// thousands of small values into one frame this way, with no document per value.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static void Write(Utf8JsonWriter json, object? value, Type type)
    {
        if (value is null ? !type.IsValueType : value.GetType() == type)
        {
            switch (value)
            {
                case null:
                    json.WriteNullValue();
                    return;
                case string text:
                    json.WriteStringValue(text);
                    return;
                case bool flag:
                    json.WriteBooleanValue(flag);
                    return;
                case int i:
                    json.WriteNumberValue(i);
                    return;
                case long l:
                    json.WriteNumberValue(l);
                    return;
                case double d when double.IsFinite(d):
                    json.WriteNumberValue(d);
                    return;
            }
        }

        JsonSerializer.Serialize(json, value, type, Options);
    }

    /// <summary>Throws when System.Text.Json cannot handle <paramref name="type"/> at all (delegates, pointers, …).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static void CheckSupported(Type type)
    {
        // The values written without the serializer need no check, and no serializer set-up.
        if (!JsonPrimitives.Handles(type))
            Options.GetTypeInfo(type);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    private static JsonSerializerOptions Create(bool subclass)
    {
        var contexts = NamedContexts();
        // A trimmed or native application may have lost the members reflection would read, and the
        // serializer would then write "{}" for a record without a word: only the application's
        // generated contexts serve there, and a type they do not list is refused.
        var reflection = JsonSerializer.IsReflectionEnabledByDefault;
        if (!reflection && contexts.Count == 0)
            throw new NotSupportedException(TrimmedApplication);
        IJsonTypeInfoResolver? fallback = null;
        if (reflection)
        {
            var resolver = new DefaultJsonTypeInfoResolver();
            if (subclass)
                resolver.Modifiers.Add(RemoveBaseProperties);
            fallback = resolver;
        }

        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = JsonTypeInfoResolver.Combine([.. contexts, fallback]),
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The contexts named by <see cref="WorkerJsonContextAttribute"/> in the loaded assemblies, the application's first.</summary>
    private static List<IJsonTypeInfoResolver> NamedContexts()
    {
        var contexts = new List<IJsonTypeInfoResolver>();
        var entry = Assembly.GetEntryAssembly();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().OrderBy(a => a == entry ? 0 : 1))
        {
            foreach (var named in assembly.GetCustomAttributes<WorkerJsonContextAttribute>())
            {
                contexts.Add(Activator.CreateInstance(named.ContextType) as IJsonTypeInfoResolver
                    ?? throw new InvalidOperationException($"{named.ContextType.Name}, named by [assembly: WorkerJsonContext] in {assembly.GetName().Name}, is not a JsonSerializerContext."));
            }
        }

        return contexts;
    }

    private static void RemoveBaseProperties(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !info.Type.IsAssignableTo(typeof(WorkerProcess)))
            return;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].AttributeProvider is MemberInfo { DeclaringType: var declaring } && declaring == typeof(WorkerProcess))
                info.Properties.RemoveAt(i);
        }
    }
}
