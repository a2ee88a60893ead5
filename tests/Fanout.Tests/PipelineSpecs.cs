using System.Diagnostics;
using System.Globalization;

namespace Fanout.Tests;

public sealed class PipelineSpecs : ProcessTestBase
{
    [Fact(Timeout = 120_000)]
    public async Task Three_processes_move_1_GB_while_this_process_copies_nothing()
    {
        const long gigabyte = 1L << 30;
        var pipeline = TestChild.Spec("write-stdout", gigabyte.ToString(CultureInfo.InvariantCulture))
            | TestChild.Spec("cat")
            | TestChild.Spec("count-stdin").WithStdout(Stdio.Pipe);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

        await using var running = pipeline.Start();
        // The pipes between the stages are theirs alone: this process holds no end of them.
        var between = running.Stages.Take(2).Select(stage => new FileInfo($"/proc/{stage.Pid}/fd/1").LinkTarget).ToList();
        var ours = Directory.GetFiles("/proc/self/fd").Select(f => new FileInfo(f).LinkTarget).ToHashSet();
        var result = await running.CommunicateAsync();

        var ourCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Assert.All(between, pipe => Assert.StartsWith("pipe:", pipe, StringComparison.Ordinal));
        Assert.All(between, pipe => Assert.DoesNotContain(pipe, ours));
        Assert.True(result.Success);
        Assert.Equal($"{gigabyte}\n", result.StdoutText);
        // Copying the gigabyte would cost this process at least as much CPU as the stages spend; the
        // limit is loose because the test host has other threads.
        Assert.True(ourCpu < TimeSpan.FromSeconds(1), $"this process used {ourCpu.TotalMilliseconds} ms of CPU");
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_stage_shares_the_first_stage_group()
    {
        var result = await (TestChild.Spec("pid") | TestChild.Spec("cat", "pid").WithStdout(Stdio.Pipe)).RunAsync();

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0].Split(' ')[1], lines[1].Split(' ')[1]);
        Assert.Equal(result.Stages[0].Pid.ToString(CultureInfo.InvariantCulture), lines[1].Split(' ')[1]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pipeline_succeeds_only_when_every_stage_does()
    {
        var ok = await (TestChild.Spec("out", "x") | TestChild.Spec("cat")).RunAsync();
        var failed = await (TestChild.Spec("out", "x", "exit", "3") | TestChild.Spec("cat")).RunAsync();

        Assert.True(ok.Success);
        Assert.False(failed.Success);
        Assert.Equal(ExitStatus.Exited(3), failed.Status);
        Assert.Equal([ExitStatus.Exited(3), ExitStatus.Exited(0)], failed.Stages.Select(s => s.Status));
        await Assert.ThrowsAsync<ProcessFailedException>(() => (TestChild.Spec("exit", "3") | TestChild.Spec("cat")).RunAsync(check: true));
    }

    [Fact(Timeout = 30_000)]
    public async Task Input_goes_to_the_first_stage_and_output_comes_from_the_last()
    {
        var result = await (TestChild.Spec("cat") | TestChild.Spec("count-stdin").WithStdout(Stdio.Pipe)).RunAsync(input: new byte[123_456]);

        Assert.Equal("123456\n", result.StdoutText);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_producer_sees_SIGPIPE_when_its_consumer_exits_early()
    {
        // yes(1) keeps SIGPIPE's default action, as C programs do; a .NET producer would see EPIPE instead.
        var result = await (new ProcessSpec("yes") | TestChild.Spec("exit", "0")).RunAsync();

        Assert.Equal(Signal.Pipe, result.Stages[0].Status.Signal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_running_children_can_be_chained_by_hand_as_in_Python()
    {
        await using var producer = TestChild.Spec("out", "via a real pipe").WithStdout(Stdio.Pipe).Start();
        await using var consumer = TestChild.Spec("cat").WithStdin(Stdio.FromProcess(producer)).WithStdout(Stdio.Pipe).Start();

        var result = await consumer.CommunicateAsync();

        Assert.Equal("via a real pipe\n", result.StdoutText);
        Assert.Null(producer.StandardOutput);
        Assert.True((await producer.WaitAsync()).Success);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pipeline_timeout_stops_every_stage()
    {
        var pipeline = TestChild.Spec("sleep", "60") | TestChild.Spec("sleep", "60");
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<ProcessTimeoutException>(() => pipeline.RunAsync(timeout: TimeSpan.FromMilliseconds(300)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stage_that_cannot_start_fails_the_pipeline_and_kills_the_others()
    {
        var pipeline = TestChild.Spec("sleep", "60") | new ProcessSpec("no-such-stage-xyz");

        await Assert.ThrowsAsync<ProcessStartException>(async () => await pipeline.RunAsync());
    }
}
