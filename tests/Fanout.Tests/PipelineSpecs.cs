using System.Diagnostics;
using System.Globalization;
using System.Text;

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

    [Fact(Timeout = 30_000)]
    public async Task The_blocking_Run_and_Wait_move_input_through_every_stage()
    {
        await Task.Yield();
        var pipeline = TestChild.Spec("cat") | TestChild.Spec("cat") | TestChild.Spec("count-stdin").WithStdout(Stdio.Pipe);

        var result = pipeline.Run(input: new byte[654_321], check: true);
        using var running = (TestChild.Spec("exit", "2") | TestChild.Spec("exit", "0")).Start();
        var statuses = running.Wait();

        Assert.Equal("654321\n", result.StdoutText);
        Assert.Equal([ExitStatus.Exited(2), ExitStatus.Exited(0)], statuses);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_first_stage_filling_its_stderr_while_the_last_fills_stdout_stalls_neither(bool blocking)
    {
        // The first stage writes 8 MiB to each of its streams from two threads: whoever reads only the
        // last stage's stdout leaves the first blocked on a full stderr pipe, and its stdout with it.
        const int size = 8 << 20;
        var pipeline = TestChild.Spec("write-both", size.ToString(CultureInfo.InvariantCulture)).WithStderr(Stdio.Pipe)
            | TestChild.Spec("cat").WithStdout(Stdio.Pipe);

        var result = blocking ? pipeline.Run(check: true) : await pipeline.RunAsync(check: true);

        Assert.Equal(size, result.Stdout.Length);
        Assert.Equal(size, result.Stages[0].Stderr.Length);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pipeline_timeout_carries_the_output_read_so_far_and_leaves_no_stage(bool blocking)
    {
        var pipeline = TestChild.Spec("err", "from the first", "out", "partial", "sleep", "60").WithStderr(Stdio.Pipe)
            | TestChild.Spec("cat").WithStdout(Stdio.Pipe);
        var timeout = TimeSpan.FromSeconds(4); // room for two .NET children to start on a loaded machine
        var clock = Stopwatch.StartNew();

        var error = blocking
            ? Assert.Throws<ProcessTimeoutException>(() => pipeline.Run(timeout: timeout))
            : await Assert.ThrowsAsync<ProcessTimeoutException>(() => pipeline.RunAsync(timeout: timeout));

        Assert.True(clock.Elapsed < timeout + ProcessSpec.DefaultStopGracePeriod + TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Equal("partial\n", Encoding.UTF8.GetString(error.Stdout));
        Assert.Equal("from the first\n", Encoding.UTF8.GetString(error.Stderr));
        Assert.Equal(timeout, error.Timeout);
        Assert.False(IsAlive(error.Pid));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stop_gives_every_stage_the_grace_period_not_just_the_first(bool blocking)
    {
        // The last stage ignores SIGTERM and finishes its work within the grace period; the first obeys at once.
        var pipeline = TestChild.Spec("sleep", "60").WithStopGracePeriod(TimeSpan.FromSeconds(20))
            | TestChild.Spec("ignore-term", "out", "ready", "sleep", "1", "exit", "7").WithStdout(Stdio.Pipe);
        using var running = pipeline.Start();
        var ready = new byte[6];
        await running.StandardOutput!.ReadExactlyAsync(ready);

        if (blocking)
            running.Stop();
        else
            await running.StopAsync();

        Assert.Equal("ready\n", Encoding.UTF8.GetString(ready));
        Assert.Equal(Signal.Terminate, running.Stages[0].ExitStatus!.Value.Signal);
        Assert.Equal(ExitStatus.Exited(7), running.Stages[1].ExitStatus);
    }
}
