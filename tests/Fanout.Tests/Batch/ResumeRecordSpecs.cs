using System.Text;

namespace Fanout.Tests.Batch;

/// <summary>The job log as the record <c>--resume</c> and <c>--retry-failed</c> trust: what it says ran, ran, once.</summary>
public sealed class ResumeRecordSpecs : ProcessTestBase
{
    [Fact(Timeout = 120_000)]
    public async Task A_job_log_torn_mid_line_is_resumed_once_and_then_never_again()
    {
        using var cli = new Cli();
        string[] run = ["--quiet", "-j1", "--joblog", "log", "echo {} >> ran.txt", ":::", "1", "2", "3"];
        await cli.RunAsync(run);
        // Cut the last line inside its command, as a full disk or a kill in the middle of the write would.
        var log = await File.ReadAllTextAsync(cli.File("log"));
        await File.WriteAllTextAsync(cli.File("log"), log[..(log.LastIndexOf("echo 3", StringComparison.Ordinal) + 3)]);

        var first = await cli.RunAsync(["--resume", .. run]);
        var second = await cli.RunAsync(["--resume", .. run]);

        Assert.Equal(0, first.ReturnCode);
        Assert.Equal(0, second.ReturnCode);
        Assert.Equal("1\n2\n3\n3\n", await File.ReadAllTextAsync(cli.File("ran.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Values_with_carriage_returns_are_logged_whole_so_a_resume_runs_nothing_again()
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("samples.txt"), "a\r\nb\r\n"); // a list saved on Windows
        string[] run = ["--quiet", "--joblog", "log", "printf '%s\\n' {} >> ran.txt", "::::", "samples.txt"];
        await cli.RunAsync(run);

        var resumed = await cli.RunAsync(["--resume", .. run]);

        Assert.Equal(0, resumed.ReturnCode);
        Assert.Equal(["a\r", "b\r"], (await File.ReadAllTextAsync(cli.File("ran.txt"))).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal(3, (await File.ReadAllTextAsync(cli.File("log"))).Count(c => c == '\n'));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_log_names_the_command_that_ran_in_its_slot_and_resume_still_finds_it()
    {
        using var cli = new Cli();
        string[] run = ["--quiet", "-j2", "--joblog", "log", "echo slot{%} {} >> ran.txt; exit {}", ":::", "0", "1", "2"];
        var first = await cli.RunAsync(run);

        var retried = await cli.Spec("--joblog", "log", "--retry-failed").RunAsync(TimeSpan.FromSeconds(60));
        var resumed = await cli.RunAsync(["--resume", .. run]);

        Assert.Equal(2, first.ReturnCode);
        var commands = (await File.ReadAllLinesAsync(cli.File("log"))).Skip(1).Select(line => line.Split('\t')[8]).ToList();
        Assert.DoesNotContain(commands, command => command.Contains("slot0", StringComparison.Ordinal));
        Assert.Contains(commands, command => command.StartsWith("echo slot2", StringComparison.Ordinal));
        // The two failed jobs were two commands (each names its slot and value): both are retried, each with a slot it had.
        Assert.Equal(2, retried.ReturnCode);
        var ran = await File.ReadAllLinesAsync(cli.File("ran.txt"));
        Assert.Equal(5, ran.Length);
        Assert.DoesNotContain(ran, line => line.StartsWith("slot0", StringComparison.Ordinal));
        Assert.Equal(0, resumed.ReturnCode);
        Assert.Equal(5, (await File.ReadAllLinesAsync(cli.File("ran.txt"))).Length);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-j1")]
    [InlineData("-P 1")]
    [InlineData("--max-procs 1")]
    [InlineData("--jobs=1")]
    public async Task Any_spelling_of_jobs_wins_over_a_manifests_parallel(string jobs)
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("batch.yaml"), """
            parallel: 4
            steps:
              - id: a
                command: echo $FANOUT_SLOT; sleep 0.3
              - id: b
                command: echo $FANOUT_SLOT; sleep 0.3
              - id: c
                command: echo $FANOUT_SLOT; sleep 0.3
            """);

        var result = await cli.RunAsync(["--quiet", .. jobs.Split(' '), "batch.yaml"]);

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("1\n1\n1\n", result.StdoutText);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-j 0.5 echo ::: a", "--jobs '0.5'")]
    [InlineData("-j nan echo ::: a", "--jobs 'nan'")]
    [InlineData("--timeout 1e300 echo ::: a", "--timeout '1e300'")]
    [InlineData("--timeout nan echo ::: a", "--timeout 'nan'")]
    [InlineData("--retry-delay 1e300 echo ::: a", "--retry-delay")]
    [InlineData("--delay 1e300 echo ::: a", "--delay")]
    [InlineData("--grace 1e300 echo ::: a", "--grace")]
    [InlineData("--joblog + echo ::: a", "--joblog '+'")]
    [InlineData("--line-buffer -k echo ::: a", "-k")]
    [InlineData("--line-buffer --results out echo ::: a", "--results")]
    [InlineData("--line-buffer --json echo ::: a", "--json")]
    public async Task Values_out_of_range_are_usage_errors_naming_the_option(string line, string message)
    {
        using var cli = new Cli();

        await cli.AssertUsageErrorAsync(line, message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Very_large_values_are_refused_or_capped_rather_than_crashing()
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("batch.yaml"), "steps:\n  - id: a\n    command: echo a\n    timeout: 1e300\n");

        var manyJobs = await cli.RunAsync("--quiet", "-j", "1e10", "echo", ":::", "a");
        var emptyLog = await cli.Spec("--joblog", "", "echo", ":::", "a").RunAsync(TimeSpan.FromSeconds(60));
        var manifest = await cli.RunAsync("--quiet", "batch.yaml");

        Assert.Equal(0, manyJobs.ReturnCode);
        Assert.Equal("a\n", manyJobs.StdoutText);
        Assert.Equal(255, emptyLog.ReturnCode);
        Assert.Contains("--joblog", emptyLog.StderrText, StringComparison.Ordinal);
        Assert.Equal(255, manifest.ReturnCode);
        Assert.Contains("batch.yaml:4", manifest.StderrText, StringComparison.Ordinal);
        Assert.Contains("timeout must be at most", manifest.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Halting_on_a_timed_out_job_exits_255_as_GNU_parallel_does()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--quiet", "--timeout", "0.5", "--halt", "now,fail=1", TestChild.Path, "sleep", "{}", ":::", "30");

        Assert.Equal(255, result.ReturnCode);
        Assert.Empty(Encoding.UTF8.GetString(result.Stdout));
    }
}
