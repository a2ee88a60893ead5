using System.Diagnostics;
using System.Globalization;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>
/// A batch whose record cannot be written (a full disk under the job log, standard output on
/// <c>/dev/full</c>, a broken observer) stops with a message naming what failed, stops the jobs
/// still running, and exits 255, rather than crashing with its children left behind.
/// </summary>
public sealed class FullDiskSpecs : ProcessTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task A_job_log_on_a_disk_that_fills_up_stops_the_batch_with_a_message_naming_it()
    {
        using var cli = new Cli();
        var disk = cli.File("disk");
        Directory.CreateDirectory(disk);
        var log = Path.Combine(disk, "log.tsv");
        var ran = cli.File("ran");
        // A private mount namespace: the 8 KiB file system vanishes with the run, whatever happens to the test.
        string[] fanout = [Cli.Path, "run", "--joblog", log, "-j", "2", "--quiet", $"echo {{}} >> {ran}", ":::", .. Numbers(300)];
        var result = await new ProcessSpec("unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs -o size=8k fanout-full-disk \"$0\" && exec \"$@\"", disk, .. fanout])
            .WithWorkingDirectory(cli.Folder).WithCapturedOutput().WithStdin(Stdio.Null)
            .RunAsync(timeout: TimeSpan.FromSeconds(50));

        Assert.DoesNotContain("unshare:", result.StderrText, StringComparison.Ordinal);
        Assert.DoesNotContain("mount:", result.StderrText, StringComparison.Ordinal);
        Assert.Equal(255, result.ReturnCode);
        Assert.Contains($"Cannot write the job log '{log}'", result.StderrText, StringComparison.Ordinal);
        Assert.Contains("No space left on device", result.StderrText, StringComparison.Ordinal);
        Assert.Contains("fanout: stopped:", result.StderrText, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StderrText, StringComparison.Ordinal);
        // It stopped where the disk filled: some jobs ran, the rest were never started.
        var jobsRan = File.ReadAllLines(ran).Length;
        Assert.InRange(jobsRan, 10, 200);
    }

    [Fact(Timeout = 60_000)]
    public async Task Standard_output_on_a_full_device_stops_the_running_jobs_and_exits_255()
    {
        using var cli = new Cli();
        var pids = cli.File("pids");
        var clock = Stopwatch.StartNew();

        // The first job prints at once; the others sleep far longer than the test may take.
        var result = await cli.Spec("-j", "3", "--grace", "0.5", $"echo $$ >> {pids}; exec {TestChild.Path} out {{}} sleep {{}}", ":::", "0", "40", "40", "40", "40")
            .WithStdout(Stdio.WriteFile("/dev/full"))
            .RunAsync(timeout: TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal(255, result.ReturnCode);
        Assert.Contains("Cannot write the batch's output", result.StderrText, StringComparison.Ordinal);
        Assert.Contains("No space left on device", result.StderrText, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StderrText, StringComparison.Ordinal);
        var started = File.ReadAllLines(pids).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(started.Count, 1, 3);
        foreach (var pid in started)
            Assert.True(await GoneAsync(pid), $"job pid {pid} is still alive");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_job_log_that_cannot_take_its_header_is_refused_before_any_job_starts()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--joblog", "/dev/full", $"echo {{}} >> {cli.File("ran")}", ":::", "1", "2");

        Assert.Equal(255, result.ReturnCode);
        Assert.Contains("Cannot write the job log '/dev/full'", result.StderrText, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("ran")), "a job ran");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_observer_that_cannot_write_stops_the_batch_and_the_summary_says_why()
    {
        var jobs = Enumerable.Range(1, 6).Select(i => new JobSpec($"j{i}", ShellQuoting.Join([TestChild.Path, "sleep", i == 1 ? "0" : "30"]))).ToList();
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 3, StopGracePeriod = TimeSpan.FromMilliseconds(200) }, new FailingObserver());
        var clock = Stopwatch.StartNew();

        var summary = await runner.RunAsync(jobs);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal("Cannot write the batch's output: the pipe is closed", summary.RecordingError);
        Assert.False(summary.Success);
        Assert.Equal(255, summary.ExitCode);
        Assert.Equal(1, summary.Succeeded);
        // The two jobs running beside it were stopped; the other three never started.
        Assert.Equal(2, summary.Failures.Count);
        Assert.All(summary.Failures, f => Assert.Equal(JobOutcome.Cancelled, f.Outcome));
    }

    private static string[] Numbers(int count) =>
        [.. Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>True once the process is gone (or a zombie of some other parent, about to be reaped).</summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
                return true;
            try
            {
                var text = await File.ReadAllTextAsync(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                    return true;
            }
            catch (IOException)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private sealed class FailingObserver : BatchObserver
    {
        public override void JobFinished(JobResult result) => throw new IOException("the pipe is closed");
    }
}
