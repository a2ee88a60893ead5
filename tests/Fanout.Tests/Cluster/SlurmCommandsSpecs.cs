using Fanout.Batch;

namespace Fanout.Tests.Cluster;

/// <summary>How the Slurm client reads sbatch's errors and squeue's listing (no cluster needed).</summary>
public sealed class SlurmCommandsSpecs
{
    [Theory(Timeout = 10_000)]
    [InlineData("sbatch: error: Batch job submission failed: Socket timed out on send/recv operation", true)]
    [InlineData("sbatch: error: Batch job submission failed: Resource temporarily unavailable", true)]
    [InlineData("sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)", true)]
    [InlineData("sbatch: error: invalid partition specified: nosuch", false)]
    [InlineData("sbatch: unrecognized option '--bogus=1'", false)]
    [InlineData("sbatch: error: Invalid --mem specification", false)]
    public async Task Only_errors_of_a_busy_or_unreachable_controller_are_retried(string error, bool transient)
    {
        await Task.Yield();
        Assert.Equal(transient, SlurmCommands.IsTransient(error));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(0, "PENDING")]
    [InlineData(3, "RUNNING")]
    [InlineData(5, "PENDING")]
    [InlineData(9, "PENDING")]
    [InlineData(12, "PENDING")]
    [InlineData(10, null)]
    public async Task An_array_task_is_found_alone_or_in_a_pending_range(int index, string? expected)
    {
        await Task.Yield();
        var states = new Dictionary<string, SlurmJobState>
        {
            ["7_3"] = new("RUNNING"),
            ["7_[0,5-9,12%4]"] = new("PENDING", "JobArrayTaskLimit"),
            ["8_1"] = new("COMPLETED"),
        };

        Assert.Equal(expected, SlurmCommands.StateOf(states, "7", index)?.State);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(1, 1)]
    [InlineData(59.5, 1)]
    [InlineData(60, 1)]
    [InlineData(61, 2)]
    [InlineData(5400, 90)]
    public async Task A_time_limit_becomes_whole_minutes_rounded_up(double seconds, int minutes)
    {
        await Task.Yield();
        Assert.Equal(minutes, SlurmTimeLimit.Minutes(TimeSpan.FromSeconds(seconds)));
    }

    [Theory(Timeout = 10_000)]
    [InlineData("TIMEOUT", "TimeLimit", true)]
    [InlineData("COMPLETING", "TimeLimit", true)]
    [InlineData("COMPLETING", "None", false)]
    [InlineData("CANCELLED", "None", false)]
    [InlineData("RUNNING", "None", false)]
    public async Task A_task_ended_at_its_time_limit_is_known_while_it_completes_and_after(string state, string reason, bool hitTimeLimit)
    {
        await Task.Yield();
        Assert.Equal(hitTimeLimit, new SlurmJobState(state, reason).HitTimeLimit);
    }
}
