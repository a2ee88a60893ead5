using System.Diagnostics.CodeAnalysis;
using System.Reflection;
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
        "The types come from the target's signature, which the caller's delegate keeps; workers refuse to start without the JIT.";

    /// <summary>Arguments, results and objects: fields included (value tuples), NaN and infinities allowed.</summary>
    internal static JsonSerializerOptions Options { get; } = Create(subclass: false);

    /// <summary>For a <see cref="WorkerProcess"/> subclass: its own public state, none of the base class's.</summary>
    internal static JsonSerializerOptions SubclassOptions { get; } = Create(subclass: true);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static JsonElement Serialize(object? value, Type type, JsonSerializerOptions? options = null) =>
        JsonSerializer.SerializeToElement(value, type, options ?? Options);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static object? Deserialize(JsonElement element, Type type, JsonSerializerOptions? options = null) =>
        element.Deserialize(type, options ?? Options);

    /// <summary>Throws when System.Text.Json cannot handle <paramref name="type"/> at all (delegates, pointers, …).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    internal static void CheckSupported(Type type) => Options.GetTypeInfo(type);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    private static JsonSerializerOptions Create(bool subclass)
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        if (subclass)
            resolver.Modifiers.Add(RemoveBaseProperties);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
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
