namespace Fanout.Tests.Cluster;

/// <summary>What the SlurmExecutor specs run as Slurm jobs.</summary>
internal static class SlurmTargets
{
    internal static string? JobId() => Environment.GetEnvironmentVariable("SLURM_JOB_ID");

    internal static Rectangle Grow(Rectangle shape, int by) => shape with { Width = shape.Width + by, Height = shape.Height + by };

    internal static int SleepThenReturn(double seconds, int value)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return value;
    }
}

/// <summary>A record argument and result: both travel as JSON.</summary>
internal sealed record Rectangle(int Width, int Height);
