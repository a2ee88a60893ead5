using System.Globalization;
using Fanout.Tests.Batch;
using Scratch = Fanout.Tests.Batch.Cli;
using Fanout.Tests.Pools;

namespace Fanout.Tests.Cluster;

/// <summary>
/// SlurmExecutor against the real single-node cluster (scripts/slurm-up). Each spec cancels every
/// job it submitted before it ends, whatever happened.
/// </summary>
public sealed class SlurmExecutorSpecs : ProcessTestBase
{
    [SlurmFact(Timeout = 90_000)]
    public async Task Submitted_calls_run_as_Slurm_jobs_and_their_futures_get_the_results()
    {
        using var folder = new Scratch();
        var executor = new SlurmExecutor(Options(folder));
        try
        {
            var doubled = executor.Submit(PoolTargets.Double, 21);
            var grown = executor.Submit(SlurmTargets.Grow, new Rectangle(2, 3), 10);
            var jobId = executor.Submit(SlurmTargets.JobId);

            Assert.Equal(42, await doubled);
            Assert.Equal(new Rectangle(12, 13), await grown);
            Assert.False(string.IsNullOrEmpty(await jobId));
            Assert.True(doubled.IsDone && !doubled.IsCancelled);
            // Calls submitted together go in as one array.
            Assert.Equal(1, executor.SubmitCalls);
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    [SlurmFact(Timeout = 90_000)]
    public async Task An_exception_in_the_job_reaches_the_future_with_the_remote_type_and_message()
    {
        using var folder = new Scratch();
        var executor = new SlurmExecutor(Options(folder));
        try
        {
            var failing = executor.Submit(PoolTargets.Fail, "no such sample");

            var error = await Assert.ThrowsAsync<RemoteException>(async () => await failing);

            Assert.Equal("System.InvalidOperationException", error.RemoteType);
            Assert.Equal("no such sample", error.RemoteMessage);
            Assert.StartsWith("SlurmJob-", error.WorkerName, StringComparison.Ordinal);
            Assert.Contains(nameof(PoolTargets.Fail), error.RemoteStackTrace, StringComparison.Ordinal);
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    [SlurmFact(Timeout = 60_000)]
    public async Task Cancelling_a_pending_future_cancels_its_job()
    {
        using var folder = new Scratch();
        // --hold keeps the job pending however free the cluster is.
        var executor = new SlurmExecutor(Options(folder) with { SbatchArguments = ["--hold"] });
        try
        {
            var future = executor.Submit(PoolTargets.Double, 1);
            await UntilAsync(() => executor.SubmittedJobIds.Count == 1);

            Assert.True(future.Cancel());

            Assert.True(future.IsCancelled);
            await Assert.ThrowsAsync<TaskCanceledException>(async () => await future);
            await UntilAsync(async () => await StatesAsync(executor) is ["CANCELLED"]);
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    [SlurmFact(Timeout = 60_000)]
    public async Task Shutting_down_with_cancelPending_cancels_the_queued_jobs_and_refuses_new_calls()
    {
        using var folder = new Scratch();
        var executor = new SlurmExecutor(Options(folder) with { SbatchArguments = ["--hold"] });
        try
        {
            var futures = new[] { executor.Submit(PoolTargets.Double, 1), executor.Submit(PoolTargets.Double, 2) };
            await UntilAsync(() => executor.SubmittedJobIds.Count == 1);

            await Task.Run(() => executor.Shutdown(wait: true, cancelPending: true));

            Assert.All(futures, f => Assert.True(f.IsCancelled));
            Assert.Throws<InvalidOperationException>(() => executor.Submit(PoolTargets.Double, 3));
            // Slurm lists a wholly cancelled pending array as one line.
            await UntilAsync(async () => await StatesAsync(executor) is { Length: > 0 } states && states.All(s => s == "CANCELLED"));
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    [SlurmFact(Timeout = 120_000)]
    public async Task Map_over_more_inputs_than_MaxArraySize_uses_one_array_per_chunk_and_keeps_the_order()
    {
        using var folder = new Scratch();
        var maxArraySize = await MaxArraySizeAsync();
        var inputs = Enumerable.Range(1, maxArraySize + 5).ToList();
        var executor = new SlurmExecutor(Options(folder));
        try
        {
            var results = await Task.Run(() => executor.Map(PoolTargets.Double, inputs).ToList());

            Assert.Equal(inputs.Select(i => i * 2), results);
            Assert.Equal(2, executor.SubmitCalls);
            Assert.Equal(2, executor.SubmittedJobIds.Count);
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    [SlurmFact(Timeout = 90_000)]
    public async Task A_job_cancelled_from_outside_fails_its_future_as_a_lost_worker()
    {
        using var folder = new Scratch();
        var executor = new SlurmExecutor(Options(folder));
        try
        {
            var future = executor.Submit(SlurmTargets.SleepThenReturn, 300.0, 1);
            await UntilAsync(() => future.IsRunning);

            await new ProcessSpec("scancel", executor.SubmittedJobIds).RunAsync(check: true);

            var lost = await Assert.ThrowsAsync<WorkerLostException>(async () => await future);
            Assert.StartsWith("SlurmJob-", lost.WorkerName, StringComparison.Ordinal);
            Assert.Contains("CANCELLED", lost.Message, StringComparison.Ordinal);
            Assert.Equal(Signal.Terminate, lost.Signal);
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    [SlurmFact(Timeout = 60_000)]
    public async Task A_submission_sbatch_refuses_fails_at_once_naming_the_option()
    {
        using var folder = new Scratch();
        var executor = new SlurmExecutor(Options(folder) with { Partition = "no-such-partition" });
        try
        {
            var future = executor.Submit(PoolTargets.Double, 1);

            var refused = await Assert.ThrowsAsync<SlurmSubmitException>(async () => await future);

            Assert.Equal(1, refused.Attempts);
            Assert.Contains("partition", refused.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("--partition=no-such-partition", refused.Message, StringComparison.Ordinal);
            Assert.Empty(executor.SubmittedJobIds);
        }
        finally
        {
            await CancelEverythingAsync(executor);
        }
    }

    private static SlurmExecutorOptions Options(Scratch folder) => new()
    {
        StateDirectory = folder.File("state"),
        JobName = "fanout-spec",
        PollInterval = TimeSpan.FromMilliseconds(500),
        ResultGrace = TimeSpan.FromSeconds(2),
    };

    /// <summary>Leaves no job behind: every call is cancelled with its job, and whatever was submitted is scancel'ed once more.</summary>
    private static async Task CancelEverythingAsync(SlurmExecutor executor)
    {
        await Task.Run(executor.Terminate);
        await executor.DisposeAsync();
        if (executor.SubmittedJobIds.Count > 0)
            await new ProcessSpec("scancel", executor.SubmittedJobIds).WithCapturedOutput().RunAsync();
    }

    private static async Task<string[]> StatesAsync(SlurmExecutor executor)
    {
        var states = await new ProcessSpec("squeue", "-h", "-t", "all", "-j", string.Join(',', executor.SubmittedJobIds), "-o", "%T").WithCapturedOutput().RunAsync();
        return [.. states.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim())];
    }

    private static Task UntilAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
                return;
            await Task.Delay(100);
        }

        Assert.Fail("The condition did not hold within 30 s.");
    }

    private static async Task<int> MaxArraySizeAsync()
    {
        var config = await new ProcessSpec("scontrol", "show", "config").WithCapturedOutput().RunAsync();
        var line = config.StdoutText.Split('\n').First(l => l.StartsWith("MaxArraySize", StringComparison.Ordinal));
        return int.Parse(line.Split('=')[1].Trim(), CultureInfo.InvariantCulture);
    }
}
