using Fanout.Batch;
using Warning = Fanout.Cli.SlurmTimeLimitWarning;

namespace Fanout.Tests.Batch;

/// <summary>The CLI's one warning line for time limits below Slurm's minute (no cluster needed).</summary>
public sealed class SlurmTimeLimitWarningSpecs
{
    [Fact(Timeout = 10_000)]
    public async Task Limits_below_a_minute_from_the_option_and_the_manifest_are_named_in_one_line()
    {
        await Task.Yield();
        List<JobSpec> jobs = [new("a", "true") { Timeout = TimeSpan.FromSeconds(30) }, new("b", "true") { Timeout = TimeSpan.FromSeconds(5) }, new("c", "true")];

        var warning = Warning.For(new BatchOptions { Timeout = TimeoutPolicy.Parse("1.5") }, jobs);

        Assert.Equal("fanout: warning: Slurm time limits are whole minutes, so a limit below a minute (--timeout 1.5 s; timeout 30 s of job 'a' and 1 more) "
            + "is rounded up to 1 minute (sbatch --time=1).", warning);
    }

    [Fact(Timeout = 10_000)]
    public async Task Limits_of_a_minute_or_more_and_relative_limits_need_no_warning()
    {
        await Task.Yield();
        List<JobSpec> jobs = [new("a", "true") { Timeout = TimeSpan.FromSeconds(90) }];

        Assert.Null(Warning.For(new BatchOptions { Timeout = TimeoutPolicy.Parse("60") }, jobs));
        Assert.Null(Warning.For(new BatchOptions { Timeout = TimeoutPolicy.Parse("200%") }, jobs));
    }
}
