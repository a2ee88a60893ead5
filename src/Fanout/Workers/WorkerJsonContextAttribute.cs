using System.Diagnostics.CodeAnalysis;

namespace Fanout;

/// <summary>
/// Names a source-generated JSON context (a <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>)
/// through which values of its types cross to and from workers. Needed only in a trimmed or
/// native (NativeAOT) application, where values of types other than numbers, booleans, strings
/// and shared objects otherwise cannot cross; elsewhere the context is used before reflection.
/// It is an assembly attribute, not a call, because a native worker never runs the application's
/// <c>Main</c>: both parent and worker find it in the executable.
/// </summary>
/// <example>
/// <code>
/// [assembly: WorkerJsonContext(typeof(AppJson))]
///
/// [JsonSerializable(typeof(Sample))]
/// [JsonSerializable(typeof(List&lt;string&gt;))]
/// internal sealed partial class AppJson : JsonSerializerContext;
/// </code>
/// </example>
/// <param name="contextType">The context's type; it needs a public parameterless constructor, as generated contexts have.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class WorkerJsonContextAttribute(
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type contextType) : Attribute
{
    /// <summary>The context's type.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type ContextType { get; } = contextType;
}
