using System.Diagnostics;
using System.Globalization;

namespace Fanout.Tests.Batch;

/// <summary><c>fanout sem</c>: GNU parallel's sem, a counting semaphore across separate commands.</summary>
public sealed class SemSpecs : ProcessTestBase
{
    /// <summary>fanout sem with its semaphores kept in the test's folder.</summary>
    private static ProcessSpec Sem(Cli cli, params string[] words) =>
        new ProcessSpec(Cli.Path, ["sem", .. words]).WithEnvironment("HOME", cli.Folder).WithWorkingDirectory(cli.Folder).WithCapturedOutput().WithStdin(Stdio.Null);

    private static Task<CompletedProcess> SemAsync(Cli cli, params string[] words) => Sem(cli, words).RunAsync(TimeSpan.FromSeconds(60));

    [Fact(Timeout = 60_000)]
    public async Task Background_jobs_run_at_most_j_at_once_and_wait_returns_when_all_have_ended()
    {
        using var cli = new Cli();
        var job = $"echo start >> log; {TestChild.Path} sleep 0.3; echo end >> log";

        // Their output goes nowhere: a captured pipe would stay open as long as each job runs.
        for (var i = 0; i < 5; i++)
            Assert.Equal(0, (await Sem(cli, "-j", "2", job).WithStdout(Stdio.Null).WithStderr(Stdio.Null).RunAsync(TimeSpan.FromSeconds(60))).ReturnCode);
        var wait = await SemAsync(cli, "--wait");

        Assert.Equal(0, wait.ReturnCode);
        var lines = await File.ReadAllLinesAsync(cli.File("log"));
        Assert.Equal(10, lines.Length);
        var running = 0;
        var most = 0;
        foreach (var line in lines)
        {
            running += line == "start" ? 1 : -1;
            most = Math.Max(most, running);
        }

        Assert.Equal(2, most);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("exit 7", 7)]
    [InlineData("kill -9 $$", 137)]
    [InlineData("true", 0)]
    public async Task A_foreground_job_gives_its_exit_status_as_a_shell_does(string job, int expected)
    {
        using var cli = new Cli();

        var result = await SemAsync(cli, "--fg", "--id", "status", job);

        Assert.Equal(expected, result.ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_holder_killed_with_SIGKILL_leaves_its_slot_free()
    {
        using var cli = new Cli();
        // The job writes its pid, then sleeps while fanout sem holds the only slot.
        using var holder = Sem(cli, "--fg", "--id", "one", $"echo $$ > pid; exec {TestChild.Path} sleep 30").Start();
        var pidFile = cli.File("pid");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(pidFile) || (await File.ReadAllTextAsync(pidFile)).Length == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the holder's job never started");
            await Task.Delay(20);
        }

        var jobPid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
        holder.SendSignal(Signal.Kill);
        await holder.WaitAsync();
        try
        {
            var next = await SemAsync(cli, "--fg", "--id", "one", "echo next");

            Assert.Equal(0, next.ReturnCode);
            Assert.Equal("next\n", next.StdoutText);
        }
        finally
        {
            using var orphan = Process.GetProcessById(jobPid);
            orphan.Kill();
            await orphan.WaitForExitAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task With_a_negative_semaphore_timeout_a_job_that_finds_no_free_slot_in_time_is_given_up()
    {
        using var cli = new Cli();
        var holder = await HoldOnlySlotAsync(cli, "busy");
        try
        {
            var clock = Stopwatch.StartNew();
            var result = await SemAsync(cli, "--id", "busy", "--st", "-0.5", "--fg", "echo ran > ran");

            Assert.Equal(1, result.ReturnCode);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(30));
            Assert.Contains("no slot of semaphore 'busy' came free within 0.5 s; giving up", result.StderrText, StringComparison.Ordinal);
            Assert.False(File.Exists(cli.File("ran")));
        }
        finally
        {
            await ReleaseAsync(holder);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task With_a_positive_semaphore_timeout_the_job_runs_anyway_in_a_slot_that_wait_waits_for()
    {
        using var cli = new Cli();
        var holder = await HoldOnlySlotAsync(cli, "busy");
        try
        {
            var started = await Sem(cli, "--id", "busy", "--st", "0.3", $"{TestChild.Path} sleep 1; echo done > done")
                .WithStdout(Stdio.Null).RunAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, started.ReturnCode);
            Assert.Contains("came free within 0.3 s; running the job anyway", started.StderrText, StringComparison.Ordinal);

            // The only regular slot is still held, so --wait can only be waiting for the job beyond it: release the holder first.
            await ReleaseAsync(holder);
            holder = null;
            Assert.Equal(0, (await SemAsync(cli, "--id", "busy", "--wait")).ReturnCode);

            Assert.Equal("done\n", await File.ReadAllTextAsync(cli.File("done")));
        }
        finally
        {
            if (holder is not null)
                await ReleaseAsync(holder);
        }
    }

    /// <summary>Starts a --fg sem that holds the only slot of <paramref name="id"/>, and returns once its job runs.</summary>
    private static async Task<ChildProcess> HoldOnlySlotAsync(Cli cli, string id)
    {
        var holder = Sem(cli, "--fg", "--id", id, $"echo $$ > holding; exec {TestChild.Path} sleep 30").Start();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(cli.File("holding")) || (await File.ReadAllTextAsync(cli.File("holding"))).Length == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the holder's job never started");
            await Task.Delay(20);
        }

        return holder;
    }

    /// <summary>Ends the holder: its job is in fanout sem's group and dies with it.</summary>
    private static async Task ReleaseAsync(ChildProcess holder)
    {
        holder.SendSignal(Signal.Terminate);
        await holder.WaitAsync();
        holder.Dispose();
    }

    [Theory(Timeout = 60_000)]
    [InlineData(new[] { "-j", "2" }, "no command")]
    [InlineData(new[] { "--wait", "echo", "x" }, "runs no command")]
    [InlineData(new[] { "-j", "0", "true" }, "at least 1")]
    [InlineData(new[] { "--id", "a/b", "true" }, "without '/'")]
    [InlineData(new[] { "--wait", "--st", "5" }, "--wait runs no job")]
    [InlineData(new[] { "--st", "soon", "true" }, "--semaphore-timeout")]
    public async Task A_sem_that_cannot_run_is_a_usage_error(string[] words, string message)
    {
        using var cli = new Cli();

        var result = await SemAsync(cli, words);

        Assert.Equal(255, result.ReturnCode);
        Assert.Contains(message, result.StderrText, StringComparison.Ordinal);
    }
}
