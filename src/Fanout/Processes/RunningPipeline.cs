using System.Diagnostics;

namespace Fanout;

/// <summary>The started stages of a <see cref="Pipeline"/>.</summary>
public sealed class RunningPipeline : IAsyncDisposable, IDisposable
{
    private readonly ChildProcess[] _stages;

    internal RunningPipeline(Pipeline pipeline, ChildProcess[] stages)
    {
        Pipeline = pipeline;
        _stages = stages;
    }

    /// <summary>What was started.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>The running stages, first to last.</summary>
    public IReadOnlyList<ChildProcess> Stages => _stages;

    /// <summary>The first stage's standard input, when it is a pipe.</summary>
    public Stream? StandardInput => _stages[0].StandardInput;

    /// <summary>The last stage's standard output, when it is a pipe.</summary>
    public Stream? StandardOutput => _stages[^1].StandardOutput;

    /// <summary>How long the stages get between SIGTERM and SIGKILL: the first stage's <see cref="ProcessSpec.StopGracePeriod"/>.</summary>
    private TimeSpan GracePeriod => _stages[0].Spec.StopGracePeriod;

    /// <summary>Waits for every stage to exit; one status per stage.</summary>
    public async Task<IReadOnlyList<ExitStatus>> WaitAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(_stages.Select(stage => stage.WaitAsync(cancellationToken))).ConfigureAwait(false);

    /// <summary>The blocking form of <see cref="WaitAsync"/>; it waits on the calling thread alone.</summary>
    public IReadOnlyList<ExitStatus> Wait() => [.. _stages.Select(stage => stage.Wait())];

    /// <summary>
    /// Sends <paramref name="input"/> to the first stage, reads the last stage's stdout and every
    /// piped stderr, and waits for all stages. On timeout or cancellation the whole group is stopped.
    /// </summary>
    /// <exception cref="ProcessTimeoutException">
    /// Time ran out; the group has been stopped. It carries the last stage's standard output and
    /// every piped standard error (first stage to last), as far as they were read.
    /// </exception>
    public async Task<PipelineResult> CommunicateAsync(ReadOnlyMemory<byte> input = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit?.CancelAfter(timeout!.Value);
        var token = limit?.Token ?? cancellationToken;
        try
        {
            var stages = await Task.WhenAll(_stages.Select((stage, i) => stage.CommunicateAsync(i == 0 ? input : default, cancellationToken: token)))
                .ConfigureAwait(false);
            return new PipelineResult(stages);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var drained = await Task.WhenAll(_stages.Select(DrainStoppedAsync)).ConfigureAwait(false);
            throw TimedOut(timeout!.Value, drained);
        }
    }

    /// <summary>
    /// The blocking form of <see cref="CommunicateAsync"/>. One thread does it all: it polls every
    /// pipe of every stage, so no stage can stall on a full pipe while another is read.
    /// </summary>
    /// <exception cref="ProcessTimeoutException">Time ran out; see <see cref="CommunicateAsync"/>.</exception>
    public PipelineResult Communicate(ReadOnlyMemory<byte> input = default, TimeSpan? timeout = null)
    {
        var deadline = timeout is { } t ? Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var begun = 0;
        try
        {
            for (; begun < _stages.Length; begun++)
                _stages[begun].BeginCommunicate(begun == 0 ? input : default);
            if (!ChildProcess.PollLoop(_stages, deadline) || !AllExitedBy(deadline))
            {
                Stop();
                // What is still in the pipes; not what a grandchild that left the group may write.
                ChildProcess.PollLoop(_stages, Stopwatch.GetTimestamp() + (long)(ProcessSpec.DrainAfterStop.TotalSeconds * Stopwatch.Frequency));
                throw TimedOut(timeout!.Value, [.. _stages.Select(stage => stage.OutputSoFar())]);
            }

            foreach (var stage in _stages)
                stage.Wait();
            return new PipelineResult([.. _stages.Select(stage => stage.Completed())]);
        }
        finally
        {
            for (var i = 0; i < begun; i++)
                _stages[i].EndCommunicate();
        }
    }

    /// <summary>
    /// Stops every stage: SIGTERM to the group, then SIGKILL to whatever is left once every stage
    /// has exited or the first stage's grace period has passed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        SignalAll(Signal.Terminate);
        var exits = Task.WhenAll(_stages.Select(stage => stage.Exited));
        try
        {
            await exits.WaitAsync(GracePeriod, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        // A stage's own children may outlive it; the group is killed either way.
        SignalAll(Signal.Kill);
        await exits.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blocking form of <see cref="StopAsync"/>; it waits on the calling thread alone.</summary>
    public void Stop()
    {
        SignalAll(Signal.Terminate);
        var graceEnds = Stopwatch.GetTimestamp() + (long)(GracePeriod.TotalSeconds * Stopwatch.Frequency);
        _ = AllExitedBy(graceEnds);
        SignalAll(Signal.Kill);
        foreach (var stage in _stages)
            stage.Wait();
    }

    /// <summary>Closes the pipes this process holds to the stages.</summary>
    public void Dispose()
    {
        foreach (var stage in _stages)
            stage.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Signals the stages' group, or each stage when they share this process's group.</summary>
    private void SignalAll(Signal signal)
    {
        if (_stages[0].Spec.ProcessGroup != ProcessGroupMode.Inherit)
        {
            _stages[0].SendSignal(signal, entireGroup: true);
            return;
        }

        foreach (var stage in _stages)
            stage.SendSignal(signal);
    }

    /// <summary>Blocks until every stage has exited (true) or the deadline passes (false).</summary>
    private bool AllExitedBy(long deadline)
    {
        foreach (var stage in _stages)
        {
            var left = deadline == long.MaxValue ? (TimeSpan?)null
                : TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            if (!stage.BlockUntilExited(left))
                return false;
        }

        return true;
    }

    private ProcessTimeoutException TimedOut(TimeSpan timeout, IReadOnlyList<(byte[] Stdout, byte[] Stderr)> output) =>
        new(Pipeline.ToString(), _stages[0].Pid, timeout, output[^1].Stdout, [.. output.SelectMany(stage => stage.Stderr)]);

    private static async Task<(byte[] Stdout, byte[] Stderr)> DrainStoppedAsync(ChildProcess stage)
    {
        try
        {
            var rest = await stage.CommunicateAsync(timeout: ProcessSpec.DrainAfterStop).ConfigureAwait(false);
            return (rest.Stdout, rest.Stderr);
        }
        catch (ProcessTimeoutException partial)
        {
            return (partial.Stdout, partial.Stderr);
        }
    }
}
