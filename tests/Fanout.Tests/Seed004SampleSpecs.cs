namespace Fanout.Tests;

/// <summary>The seed 004 sample, one example (one program run) per test, printing what the seed prints.</summary>
public sealed class Seed004SampleSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Simple_five_workers_each_print_Worker()
    {
        var (lines, _) = await RunExample("simple");

        Assert.Equal(Enumerable.Repeat("Worker", 5), lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task Args_each_worker_prints_the_number_it_was_given_in_any_order()
    {
        var (lines, _) = await RunExample("args");

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Worker: {i}"), lines.Order());
    }

    [Fact(Timeout = 30_000)]
    public async Task Import_runs_a_target_that_lives_in_another_assembly()
    {
        var (lines, _) = await RunExample("import");

        Assert.Equal(Enumerable.Repeat("Worker", 5), lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task Names_a_worker_prints_its_given_or_default_name()
    {
        var (lines, _) = await RunExample("names");

        Assert.Equal(
            ["Process-3 Exiting", "Process-3 Starting", "my_service Exiting", "my_service Starting", "worker 1 Exiting", "worker 1 Starting"],
            lines.Order(StringComparer.Ordinal));
        Assert.True(lines.IndexOf("my_service Starting") < lines.IndexOf("my_service Exiting"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Daemon_the_daemon_never_prints_Exiting_because_it_dies_with_the_program()
    {
        var (lines, _) = await RunExample("daemon");

        Assert.Equal(3, lines.Count);
        Assert.Matches("^Starting: daemon [0-9]+$", lines[0]);
        Assert.Matches("^Starting: non-daemon [0-9]+$", lines[1]);
        Assert.Matches("^Exiting : non-daemon [0-9]+$", lines[2]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Daemon_join_joining_the_daemon_lets_it_finish()
    {
        var (lines, _) = await RunExample("daemon_join");

        Assert.Equal(["Starting: daemon", "Starting: non-daemon", "Exiting : non-daemon", "Exiting : daemon"], lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task Join_timeout_returns_with_the_daemon_still_alive()
    {
        var (lines, _) = await RunExample("join_timeout");

        Assert.Equal(["Exiting : non-daemon", "Starting: daemon", "Starting: non-daemon", "d.IsAlive True"], [.. lines[..3].Order(StringComparer.Ordinal), lines[3]]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Terminate_shows_the_worker_stopped_with_exit_code_minus_SIGTERM()
    {
        var (lines, _) = await RunExample("terminate");

        Assert.Matches(@"^BEFORE: <WorkerProcess name='Process-1' parent=[0-9]+ initial> False$", lines[0]);
        Assert.Matches(@"^DURING: <WorkerProcess name='Process-1' pid=[0-9]+ parent=[0-9]+ started> True$", lines[1]);
        Assert.Matches(@"^TERMINATED: <WorkerProcess name='Process-1' pid=[0-9]+ parent=[0-9]+ (started> True|stopped exitcode=-SIGTERM> False)$", lines[2]);
        Assert.Matches(@"^JOINED: <WorkerProcess name='Process-1' pid=[0-9]+ parent=[0-9]+ stopped exitcode=-SIGTERM> False$", lines[3]);
        Assert.Equal(4, lines.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Exitcode_shows_the_exit_code_table_and_the_exception_on_stderr()
    {
        var (lines, stderr) = await RunExample("exitcode");

        Assert.Equal(
        [
            "Starting process for exit_error",
            "Starting process for exit_ok",
            "Starting process for return_value",
            "Starting process for raises",
            "Starting process for terminated",
            "     exit_error.ExitCode = 1",
            "        exit_ok.ExitCode = 0",
            "   return_value.ExitCode = 0",
            "         raises.ExitCode = 1",
            "     terminated.ExitCode = -15",
        ], lines);
        Assert.Contains("Process raises:\nSystem.InvalidOperationException: There was an error!\n   at Examples.Raises()", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Log_to_stderr_shows_the_lifecycle_as_LEVEL_slash_process_name()
    {
        var (lines, stderr) = await RunExample("log_to_stderr");

        Assert.Equal(["Doing some work"], lines);
        var log = Lines(stderr);
        Assert.Matches(@"^\[DEBUG/MainProcess\] started Process-1 \(pid [0-9]+\)$", log[0]);
        Assert.Equal(
        [
            "[INFO/Process-1] child process calling Run()",
            "[INFO/Process-1] process shutting down",
            "[INFO/Process-1] process exiting with exitcode 0",
        ], log[1..4]);
        Assert.Matches(@"^\[DEBUG/MainProcess\] Process-1 \(pid [0-9]+\) exited with code 0$", log[4]);
        Assert.Equal("[INFO/MainProcess] process shutting down", log[5]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Get_logger_at_INFO_shows_what_the_seed_shows()
    {
        var (_, stderr) = await RunExample("get_logger");

        Assert.Equal(
        [
            "[INFO/Process-1] child process calling Run()",
            "[INFO/Process-1] process shutting down",
            "[INFO/Process-1] process exiting with exitcode 0",
            "[INFO/MainProcess] process shutting down",
        ], Lines(stderr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Subclass_five_workers_print_In_Worker_1_to_In_Worker_5()
    {
        var (lines, _) = await RunExample("subclass");

        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"In Worker-{i}"), lines.Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task Result_the_parent_reads_a_workers_return_value_and_exception()
    {
        var (lines, _) = await RunExample("result");

        Assert.Equal(["Square(12) = 144", "raises: System.InvalidOperationException: There was an error!"], lines);
    }

    private static async Task<(List<string> Stdout, string Stderr)> RunExample(string example)
    {
        var result = await new ProcessSpec(Path.Combine(AppContext.BaseDirectory, "Seed004.Processes"), example)
            .WithCapturedOutput()
            .RunAsync(timeout: TimeSpan.FromSeconds(25), check: true);
        return (Lines(result.StdoutText), System.Text.Encoding.UTF8.GetString(result.Stderr));
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
