using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// A method a pool runs, checked at the call site once (through <see cref="WorkerTarget"/>), with
/// an id under which each worker keeps it resolved; further calls only serialize their arguments.
/// </summary>
internal sealed class PoolTarget
{
    private PoolTarget(int id, WorkerTarget target, ParameterInfo[] parameters, string methodName)
    {
        Id = id;
        Reference = target.Reference;
        Instance = target.Instance;
        ResultType = target.ResultType;
        Parameters = parameters;
        MethodName = methodName;
    }

    internal int Id { get; }

    internal TargetReference Reference { get; }

    internal JsonElement? Instance { get; }

    /// <summary>The declared result type (unwrapped from a task); <c>void</c> for none.</summary>
    internal Type ResultType { get; }

    private ParameterInfo[] Parameters { get; }

    private string MethodName { get; }

    /// <summary>Checks <paramref name="fn"/> with a first call's <paramref name="args"/>, whose serialized form comes out.</summary>
    /// <exception cref="ArgumentException">The method or an argument cannot be sent to a worker.</exception>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    internal static PoolTarget From(Delegate fn, object?[] args, Func<TargetReference, JsonElement?, int> idOf, out JsonElement[] arguments)
    {
        var target = WorkerTarget.FromDelegate(fn, args);
        arguments = target.Arguments;
        return new PoolTarget(idOf(target.Reference, target.Instance), target, fn.Method.GetParameters(), fn.Method.Name);
    }

    /// <summary>Writes one more call's arguments as the declared parameter types.</summary>
    /// <exception cref="ArgumentException">An argument cannot be sent.</exception>
    internal void Write(Utf8JsonWriter json, object?[] args)
    {
        if (args.Length != Parameters.Length)
            throw new ArgumentException($"{MethodName} takes {Parameters.Length} argument(s) but {args.Length} were given.", nameof(args));
        for (var i = 0; i < args.Length; i++)
        {
            var type = Parameters[i].ParameterType;
            if (args[i] is { } value && !type.IsInstanceOfType(value))
                throw new ArgumentException($"Argument {i + 1} of {MethodName} is a {value.GetType().Name}, but the parameter is a {type.Name}.", nameof(args));
            try
            {
                WorkerSerializer.Write(json, args[i], type);
            }
            catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
            {
                throw new ArgumentException($"Argument {i + 1} of {MethodName} cannot be sent to a worker process: {e.Message}", nameof(args), e);
            }
        }
    }
}
