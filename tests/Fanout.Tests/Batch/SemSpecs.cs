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

    [Theory(Timeout = 60_000)]
    [InlineData(new[] { "-j", "2" }, "no command")]
    [InlineData(new[] { "--wait", "echo", "x" }, "runs no command")]
    [InlineData(new[] { "-j", "0", "true" }, "at least 1")]
    [InlineData(new[] { "--id", "a/b", "true" }, "without '/'")]
    public async Task A_sem_that_cannot_run_is_a_usage_error(string[] words, string message)
    {
        using var cli = new Cli();

        var result = await SemAsync(cli, words);

        Assert.Equal(255, result.ReturnCode);
        Assert.Contains(message, result.StderrText, StringComparison.Ordinal);
    }
}
