using System.Diagnostics.CodeAnalysis;

namespace Fanout;

/// <summary>
/// The value an asynchronous target produced. The result types a native (NativeAOT) application
/// can send — numbers, booleans, strings — are read through their generic types, which needs no
/// reflection; any other is read through its <c>Result</c> property, which only the JIT provides.
/// </summary>
internal static class Awaited
{
    /// <summary>Waits for what <paramref name="returned"/> stands for and returns its result (null for none); a plain value is returned as it is.</summary>
    /// <param name="returned">What the target returned.</param>
    /// <param name="declared">The target's declared return type.</param>
    /// <param name="result">The result type: <paramref name="declared"/> without its <c>Task</c>, or <c>void</c>.</param>
    internal static object? Value(object? returned, Type declared, Type result)
    {
        var task = returned switch
        {
            Task t => t,
            ValueTask v => v.AsTask(),
            _ when declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(ValueTask<>) => ValueTaskAsTask(returned!, declared),
            _ => null,
        };
        if (task is null)
            return returned;
        task.GetAwaiter().GetResult();
        return result == typeof(void) ? null : Result(task);
    }

    private static Task ValueTaskAsTask(object valueTask, Type declared) => valueTask switch
    {
        ValueTask<int> v => v.AsTask(),
        ValueTask<long> v => v.AsTask(),
        ValueTask<double> v => v.AsTask(),
        ValueTask<bool> v => v.AsTask(),
        ValueTask<string> v => v.AsTask(),
        _ => (Task)(ReflectedMember(declared, nameof(ValueTask<int>.AsTask)) is { } asTask
            ? asTask.Invoke(valueTask, null)!
            : throw NoReflection(declared)),
    };

    private static object? Result(Task task) => task switch
    {
        Task<int> t => t.Result,
        Task<long> t => t.Result,
        Task<double> t => t.Result,
        Task<bool> t => t.Result,
        Task<string> t => t.Result,
        Task<int?> t => t.Result,
        Task<long?> t => t.Result,
        Task<double?> t => t.Result,
        Task<bool?> t => t.Result,
        _ => ReflectedResult(task),
    };

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Only reached under the JIT for a result type a native application refuses at the call site.")]
    private static object? ReflectedResult(Task task) =>
        task.GetType().GetProperty(nameof(Task<int>.Result)) is { } property ? property.GetValue(task) : throw NoReflection(task.GetType());

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only reached under the JIT for a result type a native application refuses at the call site.")]
    private static System.Reflection.MethodInfo? ReflectedMember(Type type, string name) => type.GetMethod(name, Type.EmptyTypes);

    private static NotSupportedException NoReflection(Type type) => new(
        $"The target returned a {type.Name}, whose result this application (trimmed or NativeAOT) cannot read without reflection metadata. Return the value itself, or a Task of a number, boolean or string.");
}
