using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// In a pool worker: runs one task's calls of a resolved target, writing each value into the
/// reply's open "values" array. A method of one argument that returns a value gets a typed runner
/// (a delegate call and no boxing); any other shape goes through reflection.
/// </summary>
internal abstract class PoolTaskRunner
{
    /// <summary>Runs every call in <paramref name="items"/> (a JSON array of argument arrays), counting them in <paramref name="index"/>.</summary>
    /// <exception cref="Exception">What a call threw; <paramref name="index"/> is then that call's.</exception>
    internal abstract void Run(JsonElement items, Utf8JsonWriter values, ref int index);

    /// <summary>Runs every call in compact <paramref name="items"/> (see <see cref="CompactWire"/>), appending each value to <paramref name="values"/>.</summary>
    /// <exception cref="Exception">What a call threw; <paramref name="index"/> is then that call's.</exception>
    /// <exception cref="InvalidOperationException">The target has no compact form (the parent and the worker disagree).</exception>
    internal virtual void RunCompact(ReadOnlySpan<byte> items, IBufferWriter<byte> values, ref int index) =>
        throw new InvalidOperationException("This pool target takes no compact calls: its method is not of one primitive parameter and a primitive result.");

    /// <summary>A typed runner for <paramref name="method"/> bound to <paramref name="owner"/>, or null when its shape has none.</summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = WorkerSerializer.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2060", Justification = WorkerSerializer.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = WorkerSerializer.Justification)]
    internal static PoolTaskRunner? Typed(MethodInfo method, object? owner)
    {
        var parameters = method.GetParameters();
        var result = method.ReturnType;
        if (parameters.Length != 1 || !Fits(parameters[0].ParameterType) || !Fits(result) || result == typeof(void)
            || typeof(Task).IsAssignableFrom(result) || result == typeof(ValueTask)
            || (result.IsGenericType && result.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            return null;
        var argument = parameters[0].ParameterType;
        // A native application has only the generic instantiations it compiled: those of the compact types.
        if (!RuntimeFeature.IsDynamicCodeSupported)
            return CompactRunners.Create(method, owner, argument, result);
        var fn = method.CreateDelegate(typeof(Func<,>).MakeGenericType(argument, result), owner);
        return (PoolTaskRunner)Activator.CreateInstance(typeof(TypedTaskRunner<,>).MakeGenericType(argument, result), fn)!;

        static bool Fits(Type type) => !type.IsByRef && !type.IsPointer && !type.IsByRefLike && !type.ContainsGenericParameters;
    }

    /// <summary>A value that cannot be serialized still reaches the parent, as an error that says why.</summary>
    private protected static InvalidOperationException Unsendable(object? value, Type type, Exception e) =>
        new($"The task returned a {value?.GetType().Name ?? type.Name} that cannot be sent back to the parent: {e.Message}", e);
}
