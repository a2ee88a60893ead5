namespace Fanout.Batch;

/// <summary>
/// How a time limit becomes Slurm's <c>--time</c>: Slurm counts whole minutes, so a limit is
/// rounded up to the next minute, and anything below a minute becomes one minute. Slurm then ends
/// the job at some point after that (its controller checks limits periodically, and OverTimeLimit
/// may add more).
/// </summary>
public static class SlurmTimeLimit
{
    /// <summary>The shortest limit Slurm can enforce.</summary>
    public static TimeSpan Shortest { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The whole minutes given to <c>sbatch --time</c> for <paramref name="limit"/>: rounded up, at least 1.</summary>
    /// <example><c>Minutes(TimeSpan.FromSeconds(1))</c> is 1; <c>Minutes(TimeSpan.FromSeconds(61))</c> is 2.</example>
    public static int Minutes(TimeSpan limit) => (int)Math.Clamp(Math.Ceiling(limit.TotalMinutes), 1, int.MaxValue);
}
