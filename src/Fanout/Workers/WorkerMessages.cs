using Microsoft.Extensions.Logging;

namespace Fanout;

/// <summary>How a worker finds the code it runs.</summary>
internal enum TargetKind
{
    /// <summary>A static method.</summary>
    Static,

    /// <summary>A lambda that captures nothing: an instance method of the compiler's field-less closure class.</summary>
    Lambda,

    /// <summary>An instance method of an object sent as JSON.</summary>
    Instance,

    /// <summary>The <c>Run</c> override of a <see cref="WorkerProcess"/> subclass sent as JSON.</summary>
    Subclass,
}

/// <summary>The method a worker runs, named so the child can find it in the same assembly files.</summary>
internal sealed record TargetReference
{
    public required TargetKind Kind { get; init; }

    /// <summary>The full name of the assembly that declares the method.</summary>
    public required string Assembly { get; init; }

    /// <summary>Where the parent loaded that assembly from, for assemblies the dependency manifest does not list.</summary>
    public string? AssemblyPath { get; init; }

    /// <summary>The module's version id: a rebuilt assembly is caught instead of running other code.</summary>
    public Guid ModuleVersionId { get; init; }

    /// <summary>
    /// In a native (NativeAOT) application, the declaring assembly's place in the executable's list of
    /// assemblies, which parent and worker share; -1 otherwise. Naming an assembly there formats its
    /// culture, and that loads ICU: tens of milliseconds of a worker's start.
    /// </summary>
    public int NativeAssemblyIndex { get; init; } = -1;

    /// <summary>The assembly-qualified name of the declaring (or, for a subclass, the derived) type; in a native application its full name.</summary>
    public required string Type { get; init; }

    public string? Method { get; init; }

    /// <summary>The method's token; 0 in a native (NativeAOT) application, which keeps no tokens and names the method by <see cref="Signature"/>.</summary>
    public int MethodToken { get; init; }

    /// <summary>The method's signature as <see cref="object.ToString"/> prints it, which tells overloads apart where there is no token.</summary>
    public string? Signature { get; init; }

    /// <summary>The declaring (or derived) type's metadata token, 0 for a generic type, which a token alone cannot name.</summary>
    public int TypeToken { get; init; }

    /// <summary>Assembly-qualified names of a generic method's type arguments.</summary>
    public string[] GenericArguments { get; init; } = [];
}

/// <summary>The first frame on a worker's control pipe: who it is and what to run.</summary>
internal sealed record WorkerCall
{
    public required string Name { get; init; }

    /// <summary>The numbers naming it among its ancestors' workers (Python's <c>_identity</c>).</summary>
    public required int[] Identity { get; init; }

    public int ParentPid { get; init; }

    public bool Daemon { get; init; }

    /// <summary>The level of the parent's stderr logging, when it has one, so the child logs the same way.</summary>
    public LogLevel? StderrLogLevel { get; init; }

    public required TargetReference Target { get; init; }

    /// <summary>Each argument's JSON (UTF-8), in the order of the parameters.</summary>
    public byte[][] Arguments { get; init; } = [];

    /// <summary>The JSON of the object an instance method or a subclass's <c>Run</c> belongs to.</summary>
    public byte[]? Instance { get; init; }

    /// <summary>How many descriptors the worker inherited for its arguments, from <see cref="Fanout.InheritedDescriptors.First"/> on.</summary>
    public int InheritedDescriptors { get; init; }
}

/// <summary>An exception in a worker, as the parent receives it.</summary>
internal sealed record RemoteError(string Type, string Message, string? StackTrace, RemoteError? Inner)
{
    /// <summary>Describes <paramref name="exception"/> and its inner exceptions (a few levels deep).</summary>
    internal static RemoteError From(Exception exception, int depth = 0) => new(
        exception.GetType().FullName ?? exception.GetType().Name,
        exception.Message,
        exception.StackTrace is { } trace ? WorkerHost.WithoutHostFrames(trace) : null,
        exception.InnerException is { } inner && depth < 8 ? From(inner, depth + 1) : null);

    /// <summary>The exception the caller sees, naming the worker it was thrown in and, in a chunk, which call threw.</summary>
    internal RemoteException ToException(string workerName, int? pid, int? indexInChunk = null) => new(
        Type,
        indexInChunk is { } i ? $"{Message} (call {i + 1} of its chunk)" : Message,
        StackTrace,
        workerName,
        pid,
        Inner?.ToException(workerName, pid));
}

/// <summary>The frame a worker sends back: the returned value, or the exception.</summary>
internal sealed record WorkerReply
{
    /// <summary>The returned value's JSON (UTF-8); null for a <c>void</c> target or an error.</summary>
    public byte[]? Value { get; init; }

    public RemoteError? Error { get; init; }
}

