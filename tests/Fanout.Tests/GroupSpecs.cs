using System.Diagnostics;
using System.Globalization;

namespace Fanout.Tests;

public sealed class GroupSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task A_child_leads_its_own_process_group_by_default()
    {
        var result = await TestChild.Spec("pid").WithCapturedOutput().RunAsync();

        var fields = result.StdoutText.Split(' ');
        Assert.Equal(fields[0], fields[1]);
        Assert.Equal(result.Pid.ToString(CultureInfo.InvariantCulture), fields[1]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_child_can_stay_in_our_group_or_lead_a_new_session()
    {
        var inherited = await TestChild.Spec("pid").WithProcessGroup(ProcessGroupMode.Inherit).WithCapturedOutput().RunAsync();
        var session = await TestChild.Spec("pid").WithProcessGroup(ProcessGroupMode.NewSession).WithCapturedOutput().RunAsync();

        Assert.Equal(Interop.Libc.getpgid(0).ToString(CultureInfo.InvariantCulture), inherited.StdoutText.Split(' ')[1]);
        var s = session.StdoutText.Trim().Split(' ');
        Assert.Equal([session.Pid.ToString(CultureInfo.InvariantCulture), session.Pid.ToString(CultureInfo.InvariantCulture)], s[1..]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_timeout_with_a_grandchild_holding_the_pipe_returns_within_the_grace_period_and_the_group_is_gone()
    {
        // The grandchild inherits stdout and would keep Communicate waiting for EOF for 60 s
        // (Python's bpo-37424); the child ignores SIGTERM, so the grace period runs out in full.
        var grace = TimeSpan.FromSeconds(1);
        var spec = TestChild.Spec("ignore-term", "grandchild", "60", "sleep", "60").WithCapturedOutput().WithStopGracePeriod(grace);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ProcessTimeoutException>(() => spec.RunAsync(timeout: TimeSpan.FromMilliseconds(500)));

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500) + grace + TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        var grandchild = int.Parse(System.Text.Encoding.UTF8.GetString(error.Stdout).Trim(), CultureInfo.InvariantCulture);
        Assert.True(Eventually(() => !IsAlive(grandchild), TimeSpan.FromSeconds(1)), $"grandchild {grandchild} still alive");
        Assert.True(Eventually(() => !IsAlive(error.Pid), TimeSpan.FromSeconds(1)));
    }

    [Fact(Timeout = 30_000)]
    public async Task StopAsync_ends_a_polite_child_at_once_and_a_stubborn_one_after_the_grace_period()
    {
        await using var polite = TestChild.Spec("sleep", "60").Start();
        await using var stubborn = TestChild.Spec("ignore-term", "out", "ready", "sleep", "60").WithStdout(Stdio.Pipe).Start();
        await foreach (var _ in stubborn.ReadLinesAsync())
            break;

        var politeStatus = await polite.StopAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        var stubbornStatus = await stubborn.StopAsync(TimeSpan.FromMilliseconds(300));

        Assert.Equal(Signal.Terminate, politeStatus.Signal);
        Assert.Equal(Signal.Kill, stubbornStatus.Signal);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_signal_can_reach_the_whole_group()
    {
        await using var child = TestChild.Spec("grandchild", "60", "sleep", "60").WithStdout(Stdio.Pipe).Start();
        string? line = null;
        await foreach (var l in child.ReadLinesAsync())
        {
            line = l;
            break;
        }

        var grandchild = int.Parse(line!, CultureInfo.InvariantCulture);
        Assert.True(IsAlive(grandchild));

        Assert.True(child.SendSignal(Signal.Kill, entireGroup: true));

        Assert.Equal(Signal.Kill, (await child.WaitAsync()).Signal);
        Assert.True(Eventually(() => !IsAlive(grandchild), TimeSpan.FromSeconds(2)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_RunAsync_stops_the_group_and_throws_the_callers_token()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var spec = TestChild.Spec("sleep", "60").WithCapturedOutput();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spec.RunAsync(cancellationToken: cancel.Token));

        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Fact(Timeout = 30_000)]
    public async Task Signalling_our_own_group_is_refused()
    {
        await using var child = TestChild.Spec("sleep", "60").WithProcessGroup(ProcessGroupMode.Inherit).Start();

        Assert.Throws<InvalidOperationException>(() => child.SendSignal(Signal.Kill, entireGroup: true));

        child.Kill();
        await child.WaitAsync();
    }
}
