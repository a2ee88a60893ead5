using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// The code a worker runs, checked and serialized at the call site (the parent) and found and
/// invoked again in the child. Anything that cannot cross a process boundary is refused here, in
/// the constructor the user called, with a message that says why and what to do instead.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("Trimming", "IL2070", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("Trimming", "IL2072", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("Trimming", "IL2075", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("Trimming", "IL2057", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("Trimming", "IL2060", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("Trimming", "IL2077", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = WorkerSerializer.Justification)]
[UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location is handled: the host refuses single-file apps.")]
internal sealed partial class WorkerTarget
{
    private WorkerTarget(TargetReference reference, byte[][] arguments, byte[]? instance, Type resultType, IReadOnlyList<SafeHandle>? passedHandles = null)
    {
        Reference = reference;
        RawArguments = arguments;
        RawInstance = instance;
        ResultType = resultType;
        PassedHandles = passedHandles ?? [];
    }

    private JsonElement[]? _argumentElements;
    private JsonElement? _instanceElement;

    internal TargetReference Reference { get; }

    /// <summary>Each argument's JSON (UTF-8), as a worker's call carries it.</summary>
    internal byte[][] RawArguments { get; }

    /// <summary>The JSON of the object an instance method or a subclass's <c>Run</c> belongs to.</summary>
    internal byte[]? RawInstance { get; }

    /// <summary>The arguments as JSON elements, as a pool's task frames carry them (parsed once, when first asked for).</summary>
    internal JsonElement[] Arguments => _argumentElements ??= [.. RawArguments.Select(Element)];

    /// <summary>The object as a JSON element, as a pool's task frames carry it (parsed once, when first asked for).</summary>
    internal JsonElement? Instance => RawInstance is { } raw ? _instanceElement ??= Element(raw) : null;

    /// <summary>The declared return type, unwrapped from <c>Task&lt;T&gt;</c>; <c>void</c> for none.</summary>
    internal Type ResultType { get; }

    /// <summary>Descriptors the arguments refer to (connection ends), which the worker inherits from <see cref="InheritedDescriptors.First"/> on.</summary>
    internal IReadOnlyList<SafeHandle> PassedHandles { get; }

    /// <summary>A description of the method <see cref="Delegate.Method"/> of <paramref name="target"/> with its arguments.</summary>
    /// <param name="target">The method to run.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="passDescriptors">True for a worker started for this call, which can inherit the descriptors of connection arguments; a pool's worker is already running.</param>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    internal static WorkerTarget FromDelegate(Delegate target, object?[] args, bool passDescriptors = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(args);
        if (target.HasSingleTarget is false)
            throw Refuse("it combines several methods (a multicast delegate); a worker runs one method. Start one worker per method.");
        var method = target.Method;
        var owner = target.Target;
        TargetKind kind;
        byte[]? instance = null;
        if (owner is null)
        {
            kind = TargetKind.Static;
        }
        else if (method.IsStatic)
        {
            throw Refuse($"it is '{method.Name}' bound to its first argument (an extension method called on an object). " +
                $"Pass that object as an argument instead: new WorkerProcess({method.DeclaringType?.Name}.{method.Name}, value, …).");
        }
        else if (IsCompilerGenerated(owner.GetType()))
        {
            var captured = owner.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            if (captured.Length > 0)
            {
                var names = string.Join(", ", captured.Select(f => CapturedName(f.Name)));
                throw Refuse($"the lambda captures {names} from the code around it, and a worker runs in another process, where those variables do not exist. " +
                    "Pass the values as arguments instead — new WorkerProcess((int i) => Work(i), i) — or write a static lambda (`static () => …`) or a static method, " +
                    "so the compiler checks that nothing is captured.");
            }

            kind = TargetKind.Lambda;
        }
        else if (method.Name.StartsWith('<'))
        {
            throw Refuse($"the lambda uses 'this' (an instance of {owner.GetType().Name}), which cannot be sent to another process. " +
                "Pass the values it needs as arguments and make the lambda static (`static (int n) => …`), or use a static method.");
        }
        else
        {
            kind = TargetKind.Instance;
            instance = SerializeOwner(owner, method);
        }

        CheckMethod(method);
        if (!passDescriptors)
            return new WorkerTarget(Describe(kind, method, method.DeclaringType!), SerializeArguments(method, args), instance, CheckResultType(method));
        using var passing = InheritedDescriptors.Collect();
        var arguments = SerializeArguments(method, args);
        return new WorkerTarget(Describe(kind, method, method.DeclaringType!), arguments, instance, CheckResultType(method), [.. passing.Handles]);
    }

    /// <summary>A description of <paramref name="process"/>'s own <c>Run</c> override, with its public state.</summary>
    /// <exception cref="InvalidOperationException">The subclass cannot be rebuilt in the child.</exception>
    internal static WorkerTarget ForSubclass(WorkerProcess process)
    {
        var type = process.GetType();
        var hasConstructor = type.GetConstructor(Type.EmptyTypes) is not null
            || type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Any(c => c.IsDefined(typeof(System.Text.Json.Serialization.JsonConstructorAttribute)));
        if (!hasConstructor || type.IsGenericTypeDefinition || IsCompilerGenerated(type))
        {
            throw new InvalidOperationException(
                $"{type.Name} overrides Run(), so the worker builds a {type.Name} of its own in the child and copies this one's public properties into it. " +
                $"Give {type.Name} a public parameterless constructor (or mark a constructor [JsonConstructor]) and keep the state Run() needs in public properties.");
        }

        CheckAssembly(type.Assembly, type.Name);
        byte[] instance;
        using var passing = InheritedDescriptors.Collect();
        try
        {
            instance = WorkerSerializer.SerializeToUtf8(process, type, WorkerSerializer.SubclassOptions);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"{type.Name}'s public properties cannot be sent to the worker ({e.Message}). Keep only data in public properties " +
                "(numbers, strings, records, arrays); mark anything else [JsonIgnore] and rebuild it in Run().", e);
        }

        var run = type.GetMethod("Run", BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes)!;
        return new WorkerTarget(Describe(TargetKind.Subclass, run, type), [], instance, typeof(void), [.. passing.Handles]);
    }

    /// <summary>In the child: finds the method, rebuilds its object and arguments, runs it, and returns what it returned.</summary>
    internal static object? Invoke(WorkerCall call, out Type resultType)
    {
        var reference = call.Target;
        var (type, method) = Resolve(reference);
        if (reference.Kind == TargetKind.Subclass)
        {
            resultType = typeof(void);
            RunSubclass(call, type);
            return null;
        }

        var owner = reference.Kind switch
        {
            TargetKind.Static => null,
            TargetKind.Lambda => RuntimeHelpers.GetUninitializedObject(type),
            _ => WorkerSerializer.Deserialize(call.Instance!, type),
        };
        var parameters = method.GetParameters();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
            arguments[i] = WorkerSerializer.Deserialize(call.Arguments[i], parameters[i].ParameterType);
        var returned = method.Invoke(owner, BindingFlags.DoNotWrapExceptions, null, arguments, null);
        resultType = UnwrapTask(method.ReturnType);
        return Awaited.Value(returned, method.ReturnType, resultType);
    }

    // Apart, so that a worker running a method never loads the serializer this needs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunSubclass(WorkerCall call, Type type)
    {
        var process = (WorkerProcess)(WorkerSerializer.Deserialize(call.Instance!, type, WorkerSerializer.SubclassOptions)
            ?? throw new InvalidOperationException($"The worker received no {type.Name} to run."));
        process.BecomeCurrent(call);
        process.RunInWorker();
    }

    private static Type UnwrapTask(Type type)
    {
        if (type == typeof(Task) || type == typeof(ValueTask))
            return typeof(void);
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            return type.GetGenericArguments()[0];
        return type;
    }

    private static TargetReference Describe(TargetKind kind, MethodInfo method, Type type)
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
            return DescribeNative(kind, method, type);
        return new()
        {
            Kind = kind,
            Assembly = type.Assembly.FullName!,
            AssemblyPath = string.IsNullOrEmpty(type.Assembly.Location) ? null : type.Assembly.Location,
            ModuleVersionId = type.Module.ModuleVersionId,
            Type = type.AssemblyQualifiedName!,
            Method = method.Name,
            MethodToken = method.MetadataToken,
            TypeToken = type.IsGenericType ? 0 : type.MetadataToken,
            GenericArguments = GenericArgumentNames(method),
        };
    }

    private static string[] GenericArgumentNames(MethodInfo method) =>
        method.IsGenericMethod ? [.. method.GetGenericArguments().Select(t => t.AssemblyQualifiedName!)] : [];

    /// <summary>
    /// A native application keeps no metadata tokens or module ids, and naming an assembly there
    /// loads ICU: the worker, the same executable, finds the assembly by its place in the shared
    /// list, then the type and method by name; the executable's identity stands for the build.
    /// </summary>
    private static TargetReference DescribeNative(TargetKind kind, MethodInfo method, Type type)
    {
        var assembly = Array.IndexOf(AppDomain.CurrentDomain.GetAssemblies(), type.Assembly);
        if (assembly < 0)
            throw Refuse($"{type.Name}.{method.Name} is in an assembly this executable does not list, so its worker (the same executable) could not find it.");
        return new()
        {
            Kind = kind,
            Assembly = "",
            ModuleVersionId = WorkerHost.NativeBuildIdentity,
            NativeAssemblyIndex = assembly,
            Type = type.FullName!,
            Method = method.Name,
            Signature = method.ToString(),
            GenericArguments = GenericArgumentNames(method),
        };
    }

    private static void CheckMethod(MethodInfo method)
    {
        var type = method.DeclaringType ?? throw Refuse($"'{method.Name}' is a global or dynamic method; use a method declared in a class.");
        CheckAssembly(type.Assembly, $"{type.Name}.{method.Name}");
        if (type.ContainsGenericParameters || method.ContainsGenericParameters)
            throw Refuse($"'{method.Name}' has open generic parameters; give it concrete types.");
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.ParameterType.IsByRef || parameter.ParameterType.IsPointer || parameter.ParameterType.IsByRefLike)
            {
                throw Refuse($"its parameter '{parameter.Name}' is a {parameter.ParameterType.Name} (by reference, a pointer or a span), which cannot point into another process. " +
                    "Take the value itself and return what the parent needs.");
            }
        }
    }

    private static void CheckAssembly(Assembly assembly, string what)
    {
        if (assembly.IsDynamic)
            throw Refuse($"{what} is in a dynamic assembly (made with Reflection.Emit), which a new process cannot load. Put the code in a compiled assembly.");
        var context = AssemblyLoadContext.GetLoadContext(assembly);
        if (context is not null && context != AssemblyLoadContext.Default)
        {
            throw Refuse($"{what} is in {assembly.GetName().Name}, loaded into the load context '{context.Name}'; a worker loads code into its default context only. " +
                "Start workers with code from the application's own assemblies.");
        }
    }

    private static byte[] SerializeOwner(object owner, MethodInfo method)
    {
        var type = owner.GetType();
        try
        {
            var sent = WorkerSerializer.SerializeToUtf8(owner, type);
            var rebuilt = WorkerSerializer.Deserialize(sent, type);
            if (Equals(rebuilt, owner))
                return sent;
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw Refuse($"'{method.Name}' is an instance method of a {type.Name}, and that object cannot be sent to another process ({e.Message}). " +
                "Use a static method and pass the data it needs as arguments, or make the object a record of plain data.");
        }

        throw Refuse($"'{method.Name}' is an instance method of a {type.Name}, and a copy of that object made from its public properties is not equal to it, " +
            "so the worker would run on different state. Use a static method and pass the data it needs as arguments, " +
            "or make the object a record whose public properties hold all of its state.");
    }

    private static byte[][] SerializeArguments(MethodInfo method, object?[] args)
    {
        var parameters = method.GetParameters();
        if (args.Length > parameters.Length || parameters.Skip(args.Length).Any(p => !p.HasDefaultValue))
        {
            var signature = string.Join(", ", parameters.Select(p => $"{p.ParameterType.Name} {p.Name}"));
            throw new ArgumentException(
                $"{method.Name}({signature}) takes {parameters.Count(p => !p.HasDefaultValue)} argument(s) but {args.Length} were given.", nameof(args));
        }

        var elements = new byte[parameters.Length][];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var value = i < args.Length ? args[i] : parameter.DefaultValue;
            var type = parameter.ParameterType;
            if (value is null ? type.IsValueType && Nullable.GetUnderlyingType(type) is null : !type.IsInstanceOfType(value))
            {
                throw new ArgumentException(
                    $"Argument {i + 1} for parameter '{parameter.Name}' of {method.Name} is {(value is null ? "null" : $"a {value.GetType().Name}")}, but the parameter is a {type.Name}.",
                    nameof(args));
            }

            try
            {
                var passedBefore = InheritedDescriptors.CollectedCount;
                elements[i] = WorkerSerializer.SerializeToUtf8(value, type);
                // A shared object travels by name, and a connection as the descriptor the worker
                // inherits: reading either back here would attach a second time or take a descriptor.
                if (!type.IsAssignableTo(typeof(ISharedByName)) && InheritedDescriptors.CollectedCount == passedBefore)
                    _ = WorkerSerializer.Deserialize(elements[i], type);
            }
            catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
            {
                var advice = !JsonSerializer.IsReflectionEnabledByDefault
                    ? (e.Message == WorkerSerializer.TrimmedApplication ? "" : " " + WorkerSerializer.TrimmedApplication)
                    : " Arguments travel as JSON: pass data (numbers, strings, records, arrays and lists of them) rather than live objects " +
                      "such as streams, handles, tasks or delegates — for a file, pass its path.";
                throw new ArgumentException(
                    $"Argument {i + 1} for parameter '{parameter.Name}' ({type.Name}) of {method.Name} cannot be sent to a worker process: {e.Message}{advice}", nameof(args), e);
            }
        }

        return elements;
    }

    private static Type CheckResultType(MethodInfo method)
    {
        var result = UnwrapTask(method.ReturnType);
        if (result == typeof(void))
            return result;
        try
        {
            WorkerSerializer.CheckSupported(result);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Refuse($"it returns a {result.Name}, which cannot be sent back from another process ({e.Message}). Return data: numbers, strings, records, arrays.");
        }

        return result;
    }

    /// <summary>The target's type (the derived one for a subclass) and method, found in the worker.</summary>
    /// <exception cref="InvalidOperationException">The assembly in the worker is another build, or the method is not in it.</exception>
    private static (Type Type, MethodInfo Method) Resolve(TargetReference reference)
    {
        var type = reference.NativeAssemblyIndex >= 0 ? ResolveNativeType(reference) : ResolveType(reference);
        if (reference.Kind == TargetKind.Subclass)
            return (type, type.GetMethod("Run", BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes)!);
        return (type, ResolveMethod(type, reference));
    }

    private static Type ResolveType(TargetReference reference)
    {
        if (reference.AssemblyPath is { } path)
            AllowLoadingFrom(reference.Assembly, path);
        var type = ResolveByToken(reference) ?? Type.GetType(reference.Type, throwOnError: true)!;
        if (type.Module.ModuleVersionId != reference.ModuleVersionId)
            throw NotTheSameBuild(type.Assembly.GetName().Name);
        return type;
    }

    /// <summary>In a native worker: the type <see cref="DescribeNative"/> named, in this same executable.</summary>
    private static Type ResolveNativeType(TargetReference reference)
    {
        if (WorkerHost.NativeBuildIdentity != reference.ModuleVersionId)
            throw NotTheSameBuild("The application");
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        return (reference.NativeAssemblyIndex < assemblies.Length ? assemblies[reference.NativeAssemblyIndex].GetType(reference.Type) : null)
            ?? throw new InvalidOperationException($"The worker cannot find the type {reference.Type} in its own executable, which should be the parent's.");
    }

    private static InvalidOperationException NotTheSameBuild(string? what) => new(
        $"{what} in the worker is not the build the parent loaded (it was rebuilt or replaced on disk since the parent started). Restart the parent.");

    /// <summary>
    /// The type by its metadata token in the assembly loaded by name: a few hundred microseconds,
    /// where parsing an assembly-qualified name costs a fresh runtime tens of milliseconds. Null
    /// for a generic type, which needs its type arguments by name.
    /// </summary>
    private static Type? ResolveByToken(TargetReference reference)
    {
        if (reference.TypeToken == 0)
            return null;
        // By its simple name: parsing the full name's culture would load ICU, ten milliseconds or more.
        // The module version id below tells whether the build is the parent's.
        var comma = reference.Assembly.IndexOf(',', StringComparison.Ordinal);
        if (comma <= 0 || reference.Assembly.AsSpan(0, comma).IndexOfAny('\\', '"') >= 0)
            return null;
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName { Name = reference.Assembly[..comma] });
        var module = assembly.ManifestModule;
        if (module.ModuleVersionId != reference.ModuleVersionId)
            return null; // The name-based path below reports it.
        return module.ResolveType(reference.TypeToken);
    }

    private static MethodInfo ResolveMethod(Type type, TargetReference reference)
    {
        // A native reference has no token, only a signature.
        if (reference.Signature is null && reference.GenericArguments.Length == 0
            && type.Module.ResolveMethod(reference.MethodToken) is MethodInfo byToken
            && byToken.DeclaringType == type && byToken.Name == reference.Method)
        {
            return byToken;
        }

        return ResolveMethodByName(type, reference);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MethodInfo ResolveMethodByName(Type type, TargetReference reference)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var method = type.GetMember(reference.Method!, MemberTypes.Method, all).OfType<MethodInfo>().FirstOrDefault(m => reference.Signature is { } signature
                ? m.ToString() == signature || (m.IsGenericMethodDefinition && reference.GenericArguments.Length > 0)
                : m.MetadataToken == reference.MethodToken)
            ?? throw new InvalidOperationException($"The worker cannot find {type.Name}.{reference.Method} ({(reference.Signature ?? $"token {reference.MethodToken:x8}")}).");
        return reference.GenericArguments.Length == 0
            ? method
            : method.MakeGenericMethod([.. reference.GenericArguments.Select(name => Type.GetType(name, throwOnError: true)!)]);
    }

    /// <summary>Lets the worker load <paramref name="assembly"/> from where the parent did, when the dependency manifest does not list it.</summary>
    private static void AllowLoadingFrom(string assembly, string path)
    {
        if (!File.Exists(path))
            return;
        lock (LoadPaths)
        {
            if (LoadPaths.Count == 0)
            {
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                {
                    string? found;
                    lock (LoadPaths)
                        found = LoadPaths.GetValueOrDefault(name.FullName);
                    return found is null ? null : context.LoadFromAssemblyPath(found);
                };
            }

            LoadPaths[assembly] = path;
        }
    }

    private static readonly Dictionary<string, string> LoadPaths = [];

    private static JsonElement Element(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static bool IsCompilerGenerated(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) || type.Name.StartsWith('<');

    private static string CapturedName(string field) =>
        field.Contains("__this", StringComparison.Ordinal) ? "'this'"
        : field.Contains("__locals", StringComparison.Ordinal) ? "variables of an enclosing block"
        : $"'{field}'";

    private static ArgumentException Refuse(string why, string parameter = "target") =>
        new($"This target cannot run in a worker process: {why}", parameter);
}
