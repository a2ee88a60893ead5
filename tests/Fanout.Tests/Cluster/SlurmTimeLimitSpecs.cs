using System.Text.RegularExpressions;
using Fanout.Tests.Batch;
using Scratch = Fanout.Tests.Batch.Cli;

namespace Fanout.Tests.Cluster;

/// <summary>
/// Slurm's time limit, for the batch backend and the executor together: Slurm limits are whole
/// minutes and enforced up to about half a minute late, so this is the one spec that waits for
/// one, and both halves pay the same minute.
/// </summary>
public sealed partial class SlurmTimeLimitSpecs : ProcessTestBase
{
    [SlurmFact(Timeout = 240_000)]
    public async Task A_job_and_a_call_past_their_Slurm_time_limit_are_reported_as_local_timeouts()
    {
        using var cli = new Scratch();
        string[] job = [TestChild.Path, "sleep", "{}", ":::", "300"];
        var executor = new SlurmExecutor(new SlurmExecutorOptions
        {
            StateDirectory = cli.File("executor"),
            JobName = "fanout-spec",
            PollInterval = TimeSpan.FromMilliseconds(500),
            TimePerTask = TimeSpan.FromMinutes(1),
        });
        try
        {
            var call = executor.Submit(SlurmTargets.SleepThenReturn, 300.0, 1);
            var slurmRun = cli.Spec(["--backend", "slurm", "--slurm-dir", "state", "--timeout", "1", "--joblog", "slurm.tsv", .. job])
                .RunAsync(timeout: TimeSpan.FromSeconds(200));
            // The form to match: the same job stopped by a local --timeout, while Slurm's minute runs.
            var local = await cli.Spec(["--timeout", "1", "--joblog", "local.tsv", .. job]).RunAsync(timeout: TimeSpan.FromSeconds(60));

            var onSlurm = await slurmRun;
            var timedOut = await Assert.ThrowsAsync<TaskTimeoutException>(async () => await call.AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("time limit (1 min)", timedOut.Message, StringComparison.Ordinal);
            Assert.Equal(1, local.ReturnCode);
            Assert.Equal(1, onSlurm.ReturnCode);
            Assert.Single(onSlurm.StderrText.Split('\n'), l => l.StartsWith("fanout: warning: Slurm time limits are whole minutes", StringComparison.Ordinal));
            Assert.Contains("--timeout 1 s", onSlurm.StderrText, StringComparison.Ordinal);
            Assert.Equal(FailureReport(local.StderrText), FailureReport(onSlurm.StderrText));
            Assert.Contains("timed out after", FailureReport(onSlurm.StderrText), StringComparison.Ordinal);
            var localRow = await JoblogRowAsync(cli.File("local.tsv"));
            var slurmRow = await JoblogRowAsync(cli.File("slurm.tsv"));
            Assert.Equal(["-1", "15"], localRow[6..8]);
            Assert.Equal(localRow[6..9], slurmRow[6..9]);          // Exitval, Signal, Command
            Assert.Equal(localRow[11], slurmRow[11]);              // Attempts
            Assert.Equal(Environment.MachineName, slurmRow[1]);    // the node
            // Slurm counts from the start on the node, and ends the job at the minute or up to ~30 s after.
            Assert.InRange(double.Parse(slurmRow[3], System.Globalization.CultureInfo.InvariantCulture), 59, 120);
        }
        finally
        {
            await Task.Run(executor.Terminate);
            await executor.DisposeAsync();
            var ids = executor.SubmittedJobIds.Concat(SubmittedByCli(cli.File("state"))).ToList();
            if (ids.Count > 0)
                await new ProcessSpec("scancel", ids).WithCapturedOutput().RunAsync();
            await AssertNothingLeftInTheQueueAsync(ids);
        }
    }

    /// <summary>The summary's FAILED lines with the numbers (runtimes) blanked out.</summary>
    private static string FailureReport(string stderr) =>
        Numbers().Replace(string.Join('\n', stderr.Split('\n').SkipWhile(l => !l.StartsWith("fanout: FAILED", StringComparison.Ordinal))
            .TakeWhile(l => l.StartsWith("fanout: FAILED", StringComparison.Ordinal) || l.StartsWith("        ", StringComparison.Ordinal))), "#");

    private static async Task<string[]> JoblogRowAsync(string path) => Assert.Single((await File.ReadAllLinesAsync(path)).Skip(1)).Split('\t');

    /// <summary>The job ids the CLI submitted, from the tasks.tsv each of its arrays leaves in the state folder.</summary>
    private static IEnumerable<string> SubmittedByCli(string stateFolder) =>
        Directory.Exists(stateFolder)
            ? Directory.EnumerateFiles(stateFolder, "tasks.tsv", SearchOption.AllDirectories).SelectMany(File.ReadLines).Select(l => l.Split('\t')[1]).Distinct()
            : [];

    private static async Task AssertNothingLeftInTheQueueAsync(List<string> ids)
    {
        if (ids.Count == 0)
            return;
        var live = "";
        for (var i = 0; i < 60; i++)
        {
            var listing = await new ProcessSpec("squeue", "-h", "-t", "PENDING,RUNNING,SUSPENDED,COMPLETING", "-j", string.Join(',', ids), "-o", "%i %T").WithCapturedOutput().RunAsync();
            live = listing.StdoutText.Trim();
            if (live.Length == 0)
                return;
            await Task.Delay(500);
        }

        Assert.Fail($"Left in the queue: {live}");
    }

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Numbers();
}
