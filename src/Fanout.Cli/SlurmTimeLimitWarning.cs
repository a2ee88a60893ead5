using System.Globalization;
using Fanout.Batch;

namespace Fanout.Cli;

/// <summary>
/// The one warning line for time limits shorter than Slurm can enforce: Slurm counts whole minutes,
/// so a limit of a few seconds would silently become a minute (and more, since Slurm ends jobs late).
/// </summary>
internal static class SlurmTimeLimitWarning
{
    /// <summary>The warning, or null when every fixed limit is a minute or more.</summary>
    /// <param name="batch">The batch options (<c>--timeout</c>).</param>
    /// <param name="jobs">The jobs; only a list read in full (a manifest) is looked at, since only a manifest gives jobs limits of their own.</param>
    internal static string? For(BatchOptions batch, IEnumerable<JobSpec> jobs)
    {
        var shortJobs = jobs is IReadOnlyCollection<JobSpec> known
            ? known.Where(j => j.Timeout is { } t && t < SlurmTimeLimit.Shortest).ToList()
            : [];
        var where = new List<string>();
        if (batch.Timeout?.Fixed is { } fixedLimit && fixedLimit < SlurmTimeLimit.Shortest)
            where.Add($"--timeout {Seconds(fixedLimit)}");
        if (shortJobs.Count > 0)
            where.Add($"timeout {Seconds(shortJobs[0].Timeout!.Value)} of job '{shortJobs[0].Id}'" + (shortJobs.Count > 1 ? $" and {shortJobs.Count - 1} more" : ""));
        return where.Count == 0
            ? null
            : $"fanout: warning: Slurm time limits are whole minutes, so a limit below a minute ({string.Join("; ", where)}) is rounded up to 1 minute (sbatch --time=1).";
    }

    private static string Seconds(TimeSpan limit) => limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
