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
    private PoolTarget(int id, WorkerTarget target, ParameterInfo[] parameters, Type declaredResult, string methodName)
    {
        Id = id;
        Reference = target.Reference;
        Instance = target.Instance;
        ResultType = target.ResultType;
        Parameters = parameters;
        MethodName = methodName;
        if (parameters.Length == 1 && CompactWire.KindOf(parameters[0].ParameterType) is not CompactKind.None and var argument
            && CompactWire.KindOf(declaredResult) is not CompactKind.None and var result)
        {
            ArgumentKind = argument;
            ResultKind = result;
        }
    }

    internal int Id { get; }

    internal TargetReference Reference { get; }

    internal JsonElement? Instance { get; }

    /// <summary>The declared result type (unwrapped from a task); <c>void</c> for none.</summary>
    internal Type ResultType { get; }

    /// <summary>The compact kind of the only parameter, when both it and the declared result have one (see <see cref="CompactWire"/>).</summary>
    internal CompactKind ArgumentKind { get; }

    /// <summary>The compact kind of the declared result (not a task), when the parameter has one too.</summary>
    internal CompactKind ResultKind { get; }

    /// <summary>True when a pool worker can take its calls and send its values in <see cref="CompactWire"/>'s form.</summary>
    internal bool IsCompact => ArgumentKind != CompactKind.None;

    private ParameterInfo[] Parameters { get; }

    private string MethodName { get; }

    /// <summary>Checks <paramref name="fn"/> with a first call's <paramref name="args"/>, whose serialized form comes out.</summary>
    /// <exception cref="ArgumentException">The method or an argument cannot be sent to a worker.</exception>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    internal static PoolTarget From(Delegate fn, object?[] args, Func<TargetReference, JsonElement?, int> idOf, out JsonElement[] arguments)
    {
        var target = WorkerTarget.FromDelegate(fn, args);
        arguments = target.Arguments;
        return new PoolTarget(idOf(target.Reference, target.Instance), target, fn.Method.GetParameters(), fn.Method.ReturnType, fn.Method.Name);
    }

    /// <summary>
    /// True when <paramref name="fn"/>, a delegate of the same method, needs no new check: a static
    /// method not bound to an object, or a lambda that captures nothing (whose only object is the
    /// compiler's field-less singleton). A method of an object is checked per object.
    /// </summary>
    internal bool Reuses(Delegate fn) => Reference.Kind switch
    {
        TargetKind.Static => fn.Target is null,
        TargetKind.Lambda => fn.Target is not null,
        _ => false,
    };

    /// <summary>True for a method of one parameter of exactly type <typeparamref name="T"/>, whose calls <see cref="PoolItems.Add{T}"/> writes without boxing.</summary>
    internal bool TakesOnly<T>() => Parameters.Length == 1 && Parameters[0].ParameterType == typeof(T);

    /// <summary>Checks one call's arguments for the compact form: one value of the parameter's exact type (null only for text).</summary>
    /// <exception cref="ArgumentException">Not one argument, or of another type.</exception>
    internal void CheckCompact(object?[] args)
    {
        if (args.Length != 1)
            throw new ArgumentException($"{MethodName} takes 1 argument(s) but {args.Length} were given.", nameof(args));
        var type = Parameters[0].ParameterType;
        if (args[0] is { } value ? !type.IsInstanceOfType(value) : type.IsValueType)
            throw new ArgumentException($"Argument 1 of {MethodName} is a {args[0]?.GetType().Name ?? "null"}, but the parameter is a {type.Name}.", nameof(args));
    }

    /// <summary>The refusal for argument <paramref name="index"/> (from 0) that the serializer could not write.</summary>
    internal ArgumentException Unsendable(int index, Exception e) =>
        new($"Argument {index + 1} of {MethodName} cannot be sent to a worker process: {e.Message}", e);

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
                throw Unsendable(i, e);
            }
        }
    }
}
