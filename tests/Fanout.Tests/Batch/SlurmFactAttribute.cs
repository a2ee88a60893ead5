namespace Fanout.Tests.Batch;

/// <summary>
/// A test that needs the real single-node Slurm cluster that scripts/slurm-up starts (scripts/test
/// runs it). Where no cluster answers, the test is skipped with a message saying so.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlurmFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public SlurmFactAttribute()
    {
        if (Missing.Value is { } reason)
            Skip = "NO SLURM CLUSTER: " + reason + " — run scripts/slurm-up as root to test the Slurm backend.";
    }

    private static string? Probe()
    {
        try
        {
            var ping = new ProcessSpec("scontrol", "ping").WithCapturedOutput().WithStdin(Stdio.Null).Run(timeout: TimeSpan.FromSeconds(20));
            return ping.StdoutText.Contains("UP", StringComparison.Ordinal) ? null : "scontrol ping: " + ping.StdoutText.Trim();
        }
        catch (FanoutException e)
        {
            return e.Message;
        }
    }
}
