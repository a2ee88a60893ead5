namespace Fanout;

/// <summary>The started stages of a <see cref="Pipeline"/>.</summary>
public sealed class RunningPipeline : IAsyncDisposable, IDisposable
{
    internal RunningPipeline(Pipeline pipeline, IReadOnlyList<ChildProcess> stages)
    {
        Pipeline = pipeline;
        Stages = stages;
    }

    /// <summary>What was started.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>The running stages, first to last.</summary>
    public IReadOnlyList<ChildProcess> Stages { get; }

    /// <summary>The first stage's standard input, when it is a pipe.</summary>
    public Stream? StandardInput => Stages[0].StandardInput;

    /// <summary>The last stage's standard output, when it is a pipe.</summary>
    public Stream? StandardOutput => Stages[^1].StandardOutput;

    /// <summary>Waits for every stage to exit; one status per stage.</summary>
    public async Task<IReadOnlyList<ExitStatus>> WaitAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(Stages.Select(stage => stage.WaitAsync(cancellationToken))).ConfigureAwait(false);

    /// <summary>The blocking form of <see cref="WaitAsync"/>.</summary>
    public IReadOnlyList<ExitStatus> Wait() => WaitAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Sends <paramref name="input"/> to the first stage, reads the last stage's stdout and every
    /// piped stderr, and waits for all stages. On timeout or cancellation the whole group is stopped.
    /// </summary>
    /// <exception cref="ProcessTimeoutException">Time ran out; the group has been stopped.</exception>
    public async Task<PipelineResult> CommunicateAsync(ReadOnlyMemory<byte> input = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
            limit.CancelAfter(t);
        try
        {
            var stages = await Task.WhenAll(Stages.Select((stage, i) => stage.CommunicateAsync(i == 0 ? input : default, cancellationToken: limit.Token)))
                .ConfigureAwait(false);
            return new PipelineResult(stages);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProcessTimeoutException(Pipeline.ToString(), Stages[0].Pid, timeout!.Value);
        }
    }

    /// <summary>Stops every stage: SIGTERM to the group, the first stage's grace period, then SIGKILL.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(Stages.Select(stage => stage.StopAsync(cancellationToken: cancellationToken))).ConfigureAwait(false);

    /// <summary>Closes the pipes this process holds to the stages.</summary>
    public void Dispose()
    {
        foreach (var stage in Stages)
            stage.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
