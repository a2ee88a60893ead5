using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Fanout;

internal sealed partial class WorkerTarget
{
    /// <summary>
    /// In a pool worker: finds the method once and returns a runner for its calls, so a long-lived
    /// worker does not resolve the same target for every task.
    /// </summary>
    /// <exception cref="InvalidOperationException">The method or its assembly cannot be found, or it is a subclass's <c>Run</c>.</exception>
    internal static PoolTaskRunner Bind(TargetReference reference, JsonElement? instance)
    {
        if (reference.Kind == TargetKind.Subclass)
            throw new InvalidOperationException("A pool runs methods, not WorkerProcess subclasses.");
        var (type, method) = Resolve(reference);
        var owner = reference.Kind switch
        {
            TargetKind.Static => null,
            TargetKind.Lambda => RuntimeHelpers.GetUninitializedObject(type),
            _ => WorkerSerializer.Deserialize(instance!.Value, type),
        };
        if (PoolTaskRunner.Typed(method, owner) is { } typed)
            return typed;
        var parameters = method.GetParameters();
        var declared = method.ReturnType;
        var result = UnwrapTask(declared);
        return new ReflectionTaskRunner(arguments =>
        {
            var values = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
                values[i] = WorkerSerializer.Deserialize(arguments[i], parameters[i].ParameterType);
            var returned = method.Invoke(owner, BindingFlags.DoNotWrapExceptions, null, values, null);
            return Awaited.Value(returned, declared, result);
        }, result);
    }
}
