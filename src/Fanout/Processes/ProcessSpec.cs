using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Fanout;

/// <summary>
/// An immutable description of a command to run: the program and its arguments, its working
/// directory and environment, where its standard streams go, and how it is grouped. Every
/// <c>With…</c> method returns a changed copy. Start it with <see cref="Start"/>, or run it to
/// completion with <see cref="Run"/> / <see cref="RunAsync"/>.
/// </summary>
/// <example>
/// <code>
/// var hello = new ProcessSpec("echo", "Hello from the child!").WithStdout(Stdio.Pipe);
/// var result = hello.Run();               // result.StdoutText == "Hello from the child!\n"
/// var files = ProcessSpec.Shell("ls | wc -l").Run(check: true);
/// </code>
/// </example>
public sealed partial class ProcessSpec
{
    /// <summary>The grace period a stop allows between SIGTERM and SIGKILL unless another is set.</summary>
    public static readonly TimeSpan DefaultStopGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>Describes <paramref name="program"/> run with <paramref name="arguments"/>, no shell involved.</summary>
    /// <param name="program">A path, or a name looked up in PATH as <c>execvp</c> does.</param>
    /// <param name="arguments">The arguments, each passed to the program as it is.</param>
    /// <exception cref="ArgumentException">The program is empty, or a value contains a NUL character.</exception>
    public ProcessSpec(string program, params IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        Program = CheckNoNul(program, nameof(program), "program");
        Arguments = [.. arguments];
        for (var i = 0; i < Arguments.Length; i++)
            CheckNoNul(Arguments[i] ?? throw new ArgumentException($"Argument {i} is null.", nameof(arguments)), nameof(arguments), $"argument {i}");
    }

    private ProcessSpec(ProcessSpec other)
    {
        Program = other.Program;
        Arguments = other.Arguments;
        WorkingDirectory = other.WorkingDirectory;
        InheritsEnvironment = other.InheritsEnvironment;
        EnvironmentChanges = other.EnvironmentChanges;
        Stdin = other.Stdin;
        Stdout = other.Stdout;
        Stderr = other.Stderr;
        ProcessGroup = other.ProcessGroup;
        KillOnParentExit = other.KillOnParentExit;
        StopGracePeriod = other.StopGracePeriod;
        PassedHandles = other.PassedHandles;
    }

    /// <summary>The program: a path, or a name looked up in PATH.</summary>
    public string Program { get; }

    /// <summary>The arguments after the program name.</summary>
    public ImmutableArray<string> Arguments { get; private init; }

    /// <summary>The child's working directory; null means this process's current directory.</summary>
    public string? WorkingDirectory { get; private init; }

    /// <summary>True when the child starts from this process's environment (the default).</summary>
    public bool InheritsEnvironment { get; private init; } = true;

    /// <summary>Variables set (value) or removed (null) on top of the starting environment.</summary>
    public ImmutableSortedDictionary<string, string?> EnvironmentChanges { get; private init; } =
        ImmutableSortedDictionary.Create<string, string?>(StringComparer.Ordinal);

    /// <summary>Where the child's standard input comes from; <see cref="Stdio.Inherit"/> by default.</summary>
    public Stdio Stdin { get; private init; } = Stdio.Inherit;

    /// <summary>Where the child's standard output goes; <see cref="Stdio.Inherit"/> by default.</summary>
    public Stdio Stdout { get; private init; } = Stdio.Inherit;

    /// <summary>Where the child's standard error goes; <see cref="Stdio.Inherit"/> by default.</summary>
    public Stdio Stderr { get; private init; } = Stdio.Inherit;

    /// <summary>The child's process group; a new group by default, so stops reach everything it started.</summary>
    public ProcessGroupMode ProcessGroup { get; private init; } = ProcessGroupMode.NewGroup;

    /// <summary>
    /// When true, the child is killed (SIGKILL) when this process dies, however it dies — even by
    /// SIGKILL. A child in a group of its own (the default) is killed with its whole group by a
    /// small watchdog that notices our death; a child in our group gets the kernel's parent-death
    /// signal through util-linux's <c>setpriv</c>.
    /// </summary>
    public bool KillOnParentExit { get; private init; }

    /// <summary>How long a stop waits after SIGTERM before it sends SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; private init; } = DefaultStopGracePeriod;

    /// <summary>
    /// Descriptors the child gets as 3, 4, … in this order (workers' control and reply pipes).
    /// The caller keeps ownership and must keep them open until <see cref="Start"/> returns.
    /// </summary>
    internal ImmutableArray<SafeHandle> PassedHandles { get; private init; } = [];

    /// <summary>Describes a command line run by <c>/bin/sh -c</c>: pipes, redirections and globs work, and so does injection — quote what you insert.</summary>
    public static ProcessSpec Shell(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        return new ProcessSpec("/bin/sh", "-c", commandLine);
    }

    /// <summary>A copy with these arguments instead of the current ones.</summary>
    public ProcessSpec WithArguments(params IEnumerable<string> arguments) =>
        new ProcessSpec(Program, arguments).CopySettingsFrom(this);

    /// <summary>A copy that runs in <paramref name="directory"/> (null: this process's current directory).</summary>
    public ProcessSpec WithWorkingDirectory(string? directory) =>
        new(this) { WorkingDirectory = directory is null ? null : CheckNoNul(directory, nameof(directory), "working directory") };

    /// <summary>A copy with the variable <paramref name="name"/> set to <paramref name="value"/>, or removed when it is null.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains '=' or NUL; the value contains NUL.</exception>
    public ProcessSpec WithEnvironment(string name, string? value)
    {
        CheckVariableName(name);
        if (value is not null)
            CheckNoNul(value, nameof(value), $"the value of {name}");
        return new(this) { EnvironmentChanges = EnvironmentChanges.SetItem(name, value) };
    }

    /// <summary>A copy with each of these variables set (or removed, for a null value).</summary>
    public ProcessSpec WithEnvironment(IEnumerable<KeyValuePair<string, string?>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var spec = this;
        foreach (var (name, value) in variables)
            spec = spec.WithEnvironment(name, value);
        return spec;
    }

    /// <summary>A copy without the variable <paramref name="name"/>.</summary>
    public ProcessSpec WithoutEnvironment(string name) => WithEnvironment(name, null);

    /// <summary>A copy whose environment is exactly <paramref name="variables"/>, nothing inherited.</summary>
    public ProcessSpec WithEnvironmentReplaced(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var spec = new ProcessSpec(this)
        {
            InheritsEnvironment = false,
            EnvironmentChanges = EnvironmentChanges.Clear(),
        };
        foreach (var (name, value) in variables)
            spec = spec.WithEnvironment(name, value ?? throw new ArgumentException($"The value of {name} is null.", nameof(variables)));
        return spec;
    }

    /// <summary>A copy whose standard input comes from <paramref name="stdin"/>.</summary>
    public ProcessSpec WithStdin(Stdio stdin)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        if (stdin.Kind is Stdio.StdioKind.WriteFile or Stdio.StdioKind.AppendFile or Stdio.StdioKind.MergeWithStdout)
            throw new ArgumentException($"{stdin} cannot be standard input: use Stdio.ReadFile for a file.", nameof(stdin));
        return new(this) { Stdin = stdin };
    }

    /// <summary>A copy whose standard output goes to <paramref name="stdout"/>.</summary>
    public ProcessSpec WithStdout(Stdio stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        if (stdout.Kind is Stdio.StdioKind.ReadFile or Stdio.StdioKind.MergeWithStdout or Stdio.StdioKind.Process)
            throw new ArgumentException($"{stdout} cannot be standard output.", nameof(stdout));
        return new(this) { Stdout = stdout };
    }

    /// <summary>A copy whose standard error goes to <paramref name="stderr"/> (<see cref="Stdio.MergeWithStdout"/> merges it).</summary>
    public ProcessSpec WithStderr(Stdio stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        if (stderr.Kind is Stdio.StdioKind.ReadFile or Stdio.StdioKind.Process)
            throw new ArgumentException($"{stderr} cannot be standard error.", nameof(stderr));
        return new(this) { Stderr = stderr };
    }

    /// <summary>A copy with this process-group placement.</summary>
    public ProcessSpec WithProcessGroup(ProcessGroupMode mode) => new(this) { ProcessGroup = mode };

    /// <summary>A copy that the kernel kills when this process dies (see <see cref="KillOnParentExit"/>).</summary>
    public ProcessSpec WithKillOnParentExit(bool enabled = true) => new(this) { KillOnParentExit = enabled };

    /// <summary>A copy whose stops wait <paramref name="gracePeriod"/> between SIGTERM and SIGKILL.</summary>
    public ProcessSpec WithStopGracePeriod(TimeSpan gracePeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        return new(this) { StopGracePeriod = gracePeriod };
    }

    /// <summary>A copy that passes <paramref name="handles"/> to the child as descriptors 3, 4, … (see <see cref="PassedHandles"/>).</summary>
    internal ProcessSpec WithPassedHandles(params ReadOnlySpan<SafeHandle> handles) => new(this) { PassedHandles = [.. handles] };

    /// <summary>The command line, each word quoted as a POSIX shell would need it.</summary>
    public override string ToString() => ShellQuoting.Join([Program, .. Arguments]);

    private ProcessSpec CopySettingsFrom(ProcessSpec other) => new(other) { Arguments = Arguments };

    private static string CheckNoNul(string value, string parameter, string what)
    {
        var at = value.IndexOf('\0', StringComparison.Ordinal);
        if (at >= 0)
            throw new ArgumentException($"The {what} contains a NUL character at index {at}: '{value.Replace("\0", "\\0", StringComparison.Ordinal)}'. Operating-system strings end at NUL.", parameter);
        return value;
    }

    private static void CheckVariableName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        CheckNoNul(name, nameof(name), "variable name");
        if (name.Contains('=', StringComparison.Ordinal))
            throw new ArgumentException($"The variable name '{name}' contains '='.", nameof(name));
    }
}
