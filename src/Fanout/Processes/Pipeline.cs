using System.Collections.Immutable;

namespace Fanout;

/// <summary>
/// Processes chained like a shell's <c>a | b | c</c>: each stage's standard output is the next
/// stage's standard input through an OS pipe, so the data never passes through this process.
/// All stages share one process group, so a stop or timeout reaches all of them.
/// </summary>
/// <example>
/// <code>
/// var result = (new ProcessSpec("openssl", "enc", "-des3", "-pbkdf2", "-pass", "env:password")
///               | new ProcessSpec("md5sum").WithStdout(Stdio.Pipe))
///              .Run(input: data);
/// Console.WriteLine(result.StdoutText);
/// </code>
/// </example>
public sealed class Pipeline
{
    internal Pipeline(ImmutableArray<ProcessSpec> stages)
    {
        if (stages.Length < 2)
            throw new ArgumentException("A pipeline has at least two stages.", nameof(stages));
        Stages = stages;
    }

    /// <summary>Creates a pipeline of these stages, first to last.</summary>
    public Pipeline(params IEnumerable<ProcessSpec> stages)
        : this([.. stages ?? throw new ArgumentNullException(nameof(stages))])
    {
    }

    /// <summary>The stages, first to last. Their stdin (but the first's) and stdout (but the last's) are the pipes between them.</summary>
    public ImmutableArray<ProcessSpec> Stages { get; }

    /// <summary>A longer pipeline with <paramref name="next"/> at the end.</summary>
    public static Pipeline operator |(Pipeline left, ProcessSpec next)
    {
        ArgumentNullException.ThrowIfNull(left);
        return new([.. left.Stages, next]);
    }

    /// <summary>Starts every stage and returns at once.</summary>
    /// <exception cref="ProcessStartException">A stage could not start; the stages already started are killed.</exception>
    public RunningPipeline Start()
    {
        var children = new List<ChildProcess>(Stages.Length);
        try
        {
            var group = 0;
            for (var i = 0; i < Stages.Length; i++)
            {
                var spec = Stages[i];
                if (i > 0)
                    spec = spec.WithStdin(Stdio.FromProcess(children[i - 1]));
                if (i < Stages.Length - 1)
                    spec = spec.WithStdout(Stdio.Pipe);
                var groupMode = Stages[0].ProcessGroup == ProcessGroupMode.Inherit ? ProcessGroupMode.Inherit : ProcessGroupMode.NewGroup;
                var child = ChildProcess.Start(spec.WithProcessGroup(i == 0 ? Stages[0].ProcessGroup : groupMode), group);
                children.Add(child);
                if (i == 0 && Stages[0].ProcessGroup != ProcessGroupMode.Inherit)
                    group = child.Pid;
            }
        }
        catch
        {
            foreach (var child in children)
            {
                child.SendSignal(Signal.Kill);
                child.WatchExit();
                child.Dispose();
            }

            throw;
        }

        // Watched only now: a reaped first stage would take the group id with it.
        foreach (var child in children)
            child.WatchExit();
        return new RunningPipeline(this, [.. children]);
    }

    /// <summary>
    /// Runs every stage to completion, all on the calling thread; see <see cref="ProcessSpec.Run"/>.
    /// With <paramref name="check"/>, every stage must succeed (pipefail).
    /// </summary>
    /// <exception cref="ProcessTimeoutException">Time ran out; the group has been stopped and the output read so far is attached (see <see cref="RunningPipeline.CommunicateAsync"/>).</exception>
    public PipelineResult Run(TimeSpan? timeout = null, bool check = false, ReadOnlyMemory<byte> input = default)
    {
        using var running = ForInput(input).Start();
        var result = running.Communicate(input, timeout);
        return check ? result.EnsureSuccess() : result;
    }

    /// <summary>The asynchronous form of <see cref="Run"/>. Cancelling stops the group, then throws <see cref="OperationCanceledException"/>.</summary>
    public async Task<PipelineResult> RunAsync(TimeSpan? timeout = null, bool check = false, ReadOnlyMemory<byte> input = default, CancellationToken cancellationToken = default)
    {
        await using var running = ForInput(input).Start();
        var result = await running.CommunicateAsync(input, timeout, cancellationToken).ConfigureAwait(false);
        return check ? result.EnsureSuccess() : result;
    }

    /// <summary>This pipeline, with a piped stdin for the first stage when there is input for it and that stdin was inherited.</summary>
    private Pipeline ForInput(ReadOnlyMemory<byte> input) => !input.IsEmpty && Stages[0].Stdin.Kind == Stdio.StdioKind.Inherit
        ? new Pipeline([Stages[0].WithStdin(Stdio.Pipe), .. Stages[1..]])
        : this;

    /// <inheritdoc />
    public override string ToString() => string.Join(" | ", Stages);
}
