using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// Where one of a child's standard streams (stdin, stdout or stderr) goes. Every choice except
/// <see cref="FromStream"/> of a plain .NET stream is wired at the file-descriptor level, so no
/// byte passes through this process unless the caller reads it.
/// </summary>
public sealed class Stdio
{
    internal enum StdioKind
    {
        Inherit,
        Pipe,
        Null,
        ReadFile,
        WriteFile,
        AppendFile,
        Handle,
        Stream,
        Process,
        MergeWithStdout,
    }

    private Stdio(StdioKind kind, string? path = null, SafeFileHandle? handle = null, Stream? stream = null, ChildProcess? process = null)
    {
        Kind = kind;
        Path = path;
        Handle = handle;
        Stream = stream;
        Process = process;
    }

    internal StdioKind Kind { get; }

    internal string? Path { get; }

    internal SafeFileHandle? Handle { get; }

    internal Stream? Stream { get; }

    internal ChildProcess? Process { get; }

    /// <summary>The child shares this process's stream (the default).</summary>
    public static Stdio Inherit { get; } = new(StdioKind.Inherit);

    /// <summary>A new OS pipe; this process holds the other end (<see cref="ChildProcess.StandardOutput"/> and so on).</summary>
    public static Stdio Pipe { get; } = new(StdioKind.Pipe);

    /// <summary><c>/dev/null</c>: nothing to read, and everything written is discarded.</summary>
    public static Stdio Null { get; } = new(StdioKind.Null);

    /// <summary>For stderr only: write to wherever stdout goes (Python's <c>stderr=STDOUT</c>, the shell's <c>2&gt;&amp;1</c>).</summary>
    public static Stdio MergeWithStdout { get; } = new(StdioKind.MergeWithStdout);

    /// <summary>For stdin: read from a file. A missing file fails the start with an error naming it.</summary>
    public static Stdio ReadFile(string path) => new(StdioKind.ReadFile, CheckPath(path));

    /// <summary>For stdout or stderr: write to a file, created or truncated.</summary>
    public static Stdio WriteFile(string path) => new(StdioKind.WriteFile, CheckPath(path));

    /// <summary>For stdout or stderr: append to a file, created if missing.</summary>
    public static Stdio AppendFile(string path) => new(StdioKind.AppendFile, CheckPath(path));

    /// <summary>
    /// An open file, pipe or socket handle. The child gets a copy; the caller keeps the handle and
    /// closes it when done.
    /// </summary>
    public static Stdio FromHandle(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return new(StdioKind.Handle, handle: handle);
    }

    /// <summary>
    /// A .NET stream. A <see cref="FileStream"/> or a Fanout pipe stream is handed over by its file
    /// descriptor; any other stream is pumped through an OS pipe by this process.
    /// </summary>
    public static Stdio FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream switch
        {
            PipeEndStream pipe => new(StdioKind.Handle, handle: pipe.Handle),
            FileStream file => new(StdioKind.Handle, handle: file.SafeFileHandle),
            _ => new(StdioKind.Stream, stream: stream),
        };
    }

    /// <summary>
    /// For stdin: the standard output of another child, started with <see cref="Pipe"/> stdout.
    /// The OS pipe is handed over whole: this process gives up its end, so the producer sees
    /// SIGPIPE when the consumer exits, exactly as in a shell pipeline.
    /// </summary>
    /// <exception cref="ArgumentException">The producer's stdout is not a pipe, or was already taken.</exception>
    public static Stdio FromProcess(ChildProcess producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        if (producer.Spec.Stdout.Kind != StdioKind.Pipe)
            throw new ArgumentException($"The stdout of '{producer.Spec}' (pid {producer.Pid}) is not a pipe: start it with Stdio.Pipe for stdout.", nameof(producer));
        return new(StdioKind.Process, process: producer);
    }

    private static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"The path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character.", nameof(path));
        return path;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        StdioKind.ReadFile => $"< {Path}",
        StdioKind.WriteFile => $"> {Path}",
        StdioKind.AppendFile => $">> {Path}",
        StdioKind.Process => $"from pid {Process!.Pid}",
        _ => Kind.ToString(),
    };
}
