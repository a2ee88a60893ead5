using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fanout.Tests;

/// <summary><see cref="ProcessSpec.Run"/>, the blocking form, which works on the calling thread alone.</summary>
public sealed class RunSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Run_feeds_the_input_through_a_stdin_it_pipes_and_returns_both_outputs_and_the_status()
    {
        await Task.Yield();
        var spec = TestChild.Spec("cat", "err", "on stderr", "exit", "4").WithCapturedOutput();

        var result = spec.Run(input: Encoding.UTF8.GetBytes("through stdin\n"));

        Assert.Equal("through stdin\n", result.StdoutText);
        Assert.Equal("on stderr\n", result.StderrText);
        Assert.Equal(4, result.ReturnCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_with_check_throws_with_the_status_and_the_output_and_CheckOutput_returns_the_text()
    {
        await Task.Yield();

        var error = Assert.Throws<ProcessFailedException>(() => TestChild.Spec("out", "said", "exit", "3").WithCapturedOutput().Run(check: true));
        var text = TestChild.Spec("out", "fine").CheckOutput();

        Assert.Equal(3, error.Status.ExitCode);
        Assert.Equal("said\n", Encoding.UTF8.GetString(error.Stdout));
        Assert.Equal("fine\n", text);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_Run_timeout_with_a_grandchild_holding_the_pipe_returns_within_the_grace_period_with_the_output_and_the_group_is_gone()
    {
        await Task.Yield();
        // As the asynchronous form's test in GroupSpecs: the child ignores SIGTERM, and the grandchild holds stdout for 60 s.
        var grace = TimeSpan.FromSeconds(1);
        var spec = TestChild.Spec("ignore-term", "grandchild", "60", "sleep", "60").WithCapturedOutput().WithStopGracePeriod(grace);
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<ProcessTimeoutException>(() => spec.Run(timeout: TimeSpan.FromMilliseconds(500)));

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500) + grace + TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        var grandchild = int.Parse(Encoding.UTF8.GetString(error.Stdout).Trim(), CultureInfo.InvariantCulture);
        Assert.True(Eventually(() => !IsAlive(grandchild), TimeSpan.FromSeconds(1)), $"grandchild {grandchild} still alive");
        Assert.True(Eventually(() => !IsAlive(error.Pid), TimeSpan.FromSeconds(1)));
    }
}
