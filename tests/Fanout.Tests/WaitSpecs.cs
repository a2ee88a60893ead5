namespace Fanout.Tests;

public sealed class WaitSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Poll_is_null_while_the_child_runs_then_gives_its_status()
    {
        await using var child = TestChild.Spec("sleep", "0.3").Start();

        var whileRunning = child.Poll();
        var polls = 0;
        while (child.Poll() is null)
        {
            polls++;
            await Task.Delay(20);
        }

        Assert.Null(whileRunning);
        Assert.True(polls > 0);
        Assert.Equal(ExitStatus.Exited(0), child.Poll());
        Assert.False(child.IsRunning);
    }

    [Fact(Timeout = 30_000)]
    public async Task Poll_sees_an_exit_at_once_without_waiting_for_anyone()
    {
        await using var child = TestChild.Spec("exit", "4").Start();
        var pidfdSeen = await child.Exited;

        Assert.Equal(ExitStatus.Exited(4), child.Poll());
        Assert.Equal(pidfdSeen, child.ExitStatus);
    }

    [Fact(Timeout = 30_000)]
    public async Task Wait_with_a_timeout_throws_and_leaves_the_child_running()
    {
        await using var child = TestChild.Spec("sleep", "30").Start();

        var error = Assert.Throws<ProcessTimeoutException>(() => child.Wait(TimeSpan.FromMilliseconds(100)));

        Assert.Equal(child.Pid, error.Pid);
        Assert.True(IsAlive(child.Pid));
        child.Kill();
        Assert.Equal(ExitStatus.Signaled(Signal.Kill), await child.WaitAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_WaitAsync_stops_the_wait_not_the_child()
    {
        await using var child = TestChild.Spec("sleep", "30").Start();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => child.WaitAsync(cancel.Token));

        Assert.True(child.IsRunning);
        child.Terminate();
        await child.WaitAsync();
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(143)]
    [InlineData(255)]
    public async Task An_exit_code_is_reported_as_a_code(int code)
    {
        var result = await TestChild.Spec("exit", code.ToString(System.Globalization.CultureInfo.InvariantCulture)).RunAsync();

        Assert.Equal(code, result.Status.ExitCode);
        Assert.Null(result.Status.Signal);
        Assert.Equal(code, result.ReturnCode);
        Assert.Equal(code == 0, result.Status.Success);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(15, "SIGTERM")]
    [InlineData(9, "SIGKILL")]
    [InlineData(10, "SIGUSR1")]
    [InlineData(2, "SIGINT")]
    public async Task A_signal_death_is_told_apart_from_an_exit_code(int signal, string name)
    {
        var result = await TestChild.Spec("signal", signal.ToString(System.Globalization.CultureInfo.InvariantCulture)).RunAsync();

        Assert.Null(result.Status.ExitCode);
        Assert.Equal(signal, result.Status.Signal?.Number);
        Assert.Equal(name, result.Status.Signal?.Name);
        Assert.Equal(-signal, result.ReturnCode);
        Assert.Equal(128 + signal, result.Status.ShellCode);
        Assert.Contains(name, result.Status.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Terminate_gives_minus_15_and_kill_gives_minus_9()
    {
        await using var terminated = TestChild.Spec("sleep", "30").Start();
        await using var killed = TestChild.Spec("ignore-term", "out", "ready", "sleep", "30").WithStdout(Stdio.Pipe).Start();
        // Its first line comes after it ignores SIGTERM: a fixed delay lost that race on a loaded machine.
        await foreach (var _ in killed.ReadLinesAsync())
            break;

        terminated.Terminate();
        killed.Terminate();
        var stillAlive = await Task.WhenAny(killed.Exited, Task.Delay(300)) != killed.Exited;
        killed.Kill();

        Assert.Equal(-15, (await terminated.WaitAsync()).ReturnCode);
        Assert.True(stillAlive);
        Assert.Equal(-9, (await killed.WaitAsync()).ReturnCode);
        Assert.False(terminated.SendSignal(Signal.Terminate));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_resource_usage_of_a_finished_child_is_known()
    {
        var result = await TestChild.Spec("write-stdout", "50000000").WithStdout(Stdio.Null).RunAsync();

        var usage = Assert.IsType<ResourceUsage>(result.Usage);
        Assert.True(usage.CpuTime > TimeSpan.Zero);
        Assert.True(usage.MaxResidentBytes > 1_000_000, $"max RSS {usage.MaxResidentBytes}");
        Assert.True(usage.WallTime >= usage.UserTime / 4);
    }

    [Fact(Timeout = 30_000)]
    public async Task Check_raises_a_failure_carrying_the_command_status_and_output()
    {
        var error = await Assert.ThrowsAsync<ProcessFailedException>(() =>
            TestChild.Spec("out", "partial", "err", "what went wrong", "exit", "3").WithCapturedOutput().RunAsync(check: true));

        Assert.Equal(ExitStatus.Exited(3), error.Status);
        Assert.Equal("partial\n"u8.ToArray(), error.Stdout);
        Assert.Contains("what went wrong", error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains(TestChild.Path, error.CommandLine, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task CheckOutput_returns_stdout_of_a_successful_child()
    {
        await Task.Yield();
        Assert.Equal("checked\n", TestChild.Spec("out", "checked").CheckOutput());
        Assert.Throws<ProcessFailedException>(() => TestChild.Spec("exit", "1").CheckOutput());
    }
}
