namespace Fanout;

/// <summary>The finished stages of a pipeline.</summary>
/// <param name="Stages">Each stage's result, first to last.</param>
public sealed record PipelineResult(IReadOnlyList<CompletedProcess> Stages)
{
    /// <summary>True only when every stage exited with code 0 (the shell's <c>pipefail</c>).</summary>
    public bool Success => Stages.All(stage => stage.Status.Success);

    /// <summary>The status of the last stage that failed, or the last stage's when all succeeded (as <c>pipefail</c> reports).</summary>
    public ExitStatus Status => Stages.LastOrDefault(stage => !stage.Status.Success)?.Status ?? Stages[^1].Status;

    /// <summary>The last stage's standard output, when captured.</summary>
    public byte[] Stdout => Stages[^1].Stdout;

    /// <summary>The last stage's standard output as UTF-8 text.</summary>
    public string StdoutText => Stages[^1].StdoutText;

    /// <summary>Throws <see cref="ProcessFailedException"/> for the last failing stage unless every stage succeeded.</summary>
    public PipelineResult EnsureSuccess()
    {
        var failed = Stages.LastOrDefault(stage => !stage.Status.Success);
        return failed is null ? this : throw new ProcessFailedException(failed.Spec.ToString(), failed.Status, failed.Stdout, failed.Stderr);
    }
}
