using System.Collections.Immutable;

namespace Fanout.Batch;

/// <summary>
/// One job of a batch, as data: an id, a command line, where and how it runs, what it needs, and
/// what it waits for. Jobs are immutable; <c>with</c> expressions make changed copies.
/// </summary>
public sealed record JobSpec
{
    /// <summary>Describes a job that runs <paramref name="commandLine"/>.</summary>
    /// <param name="id">A name unique in the batch; dependencies refer to it.</param>
    /// <param name="commandLine">The command, as a line for <c>/bin/sh -c</c> (or split into words when <see cref="UseShell"/> is false).</param>
    public JobSpec(string id, string commandLine)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(commandLine);
        Id = id;
        CommandLine = commandLine;
    }

    /// <summary>A name unique in the batch.</summary>
    public string Id { get; init; }

    /// <summary>The command line. Resume recognises a job by it.</summary>
    public string CommandLine { get; init; }

    /// <summary>True (the default) to run the line through <c>/bin/sh -c</c>; false to split it into words and run the program directly.</summary>
    public bool UseShell { get; init; } = true;

    /// <summary>The job's input values, as given to a template (shown by <c>--tag</c>); empty otherwise.</summary>
    public ImmutableArray<string> Arguments { get; init; } = [];

    /// <summary>
    /// Bytes written to its standard input, which is then closed (a block of <see cref="InputBlocks"/>
    /// for GNU parallel's <c>--pipe</c>); null for none: standard input is <c>/dev/null</c>.
    /// A job that exits without reading it all is not failed for that.
    /// </summary>
    public ReadOnlyMemory<byte>? StandardInput { get; init; }

    /// <summary>
    /// Writes the job's standard input while it runs, for input that is not all known when the job
    /// is queued (a job's share of a stream, from <see cref="RoundRobinInput"/>); the stream is
    /// closed when the returned task ends. Null for none. It takes the place of
    /// <see cref="StandardInput"/>, and a job with it is never retried: its input cannot be read again.
    /// </summary>
    public Func<Stream, CancellationToken, Task>? StandardInputWriter { get; init; }

    /// <summary>The environment variable that names the file or named pipe of <see cref="InputDelivery"/>, as in GNU parallel.</summary>
    public const string InputFileVariable = "PARALLEL_TMP";

    /// <summary>How <see cref="StandardInput"/> reaches the job: on its stdin (the default), or in a file or named pipe it finds in <c>$PARALLEL_TMP</c>.</summary>
    public InputDelivery InputDelivery { get; init; }

    /// <summary>The text that tags its output lines when output is tagged (GNU parallel's <c>--tagstring</c>); null for its <see cref="Arguments"/>.</summary>
    public string? Tag { get; init; }

    /// <summary>
    /// How much lower than the runner's its CPU priority is (GNU parallel's <c>--nice</c>, 0 to 19), or
    /// null to keep the runner's: it runs under <c>nice -n</c>, so everything it starts is nice too.
    /// </summary>
    public int? Niceness { get; init; }

    /// <summary>The group it belongs to (a sample type in a manifest), or null.</summary>
    public string? Group { get; init; }

    /// <summary>Where it runs; null for the runner's working directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set for it on top of the runner's environment.</summary>
    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Its own time limit, overriding the batch's.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Its own number of retries after a failure, overriding the batch's.</summary>
    public int? Retries { get; init; }

    /// <summary>CPUs it needs (used by schedulers such as Slurm); 1 by default.</summary>
    public int Cpus { get; init; } = 1;

    /// <summary>Memory it needs in bytes, or null; the local runner starts it only when that much is available.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>
    /// For a command that names its job slot (GNU parallel's <c>{%}</c>): makes the line for the
    /// slot the job gets when it starts. <see cref="CommandLine"/> then names the job in the job log.
    /// </summary>
    public Func<int, string>? CommandForSlot { get; init; }

    /// <summary>For a tag that names the job slot (<c>--tagstring {%}</c>): makes the tag for the slot the job got; null to use <see cref="Tag"/>.</summary>
    public Func<int, string>? TagForSlot { get; init; }

    /// <summary>Ids of the jobs that must succeed before it starts.</summary>
    public ImmutableArray<string> DependsOn { get; init; } = [];

    /// <summary>
    /// The command as a process description. A shell line that is a plain command (words and
    /// quotes, nothing to expand, not a shell builtin) runs directly, as the shell would exec it:
    /// one process less, and a signal that kills the program is reported as that signal rather
    /// than as the shell's exit code 128 + n.
    /// </summary>
    public ProcessSpec ToProcessSpec()
    {
        var direct = CommandWords.TrySplit(CommandLine, out var words) && words.Count > 0 && (!UseShell || !CommandWords.IsShellBuiltin(words[0]));
        var spec = direct ? new ProcessSpec(words[0], words.Skip(1)) : ProcessSpec.Shell(CommandLine);
        if (Niceness is { } niceness)
            spec = new ProcessSpec("nice", ["-n", niceness.ToString(System.Globalization.CultureInfo.InvariantCulture), spec.Program, .. spec.Arguments]);
        if (WorkingDirectory is not null)
        {
            // PWD names it, as after GNU parallel's `cd DIR &&`: a program run without the shell
            // would otherwise see this process's PWD, and the shell keeps a PWD that names its directory.
            spec = spec.WithWorkingDirectory(WorkingDirectory).WithEnvironment("PWD", Path.GetFullPath(WorkingDirectory));
        }
        foreach (var (name, value) in Environment)
            spec = spec.WithEnvironment(name, value);
        return spec;
    }
}
