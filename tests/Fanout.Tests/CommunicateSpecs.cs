using System.Text;

namespace Fanout.Tests;

public sealed class CommunicateSpecs : ProcessTestBase
{
    private const int HundredMegabytes = 100 * 1024 * 1024;

    [Fact(Timeout = 60_000)]
    public async Task Communicate_reads_100_MB_on_stdout_and_stderr_at_once_without_deadlock()
    {
        await Task.Yield();
        using var child = TestChild.Spec("write-both", HundredMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).WithCapturedOutput().Start();

        var result = child.Communicate();

        Assert.Equal(HundredMegabytes, result.Stdout.Length);
        Assert.Equal(HundredMegabytes, result.Stderr.Length);
        Assert.True(result.Stdout.AsSpan().IndexOfAnyExcept((byte)'x') < 0);
        Assert.True(result.Stderr.AsSpan().IndexOfAnyExcept((byte)'x') < 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task CommunicateAsync_reads_100_MB_on_stdout_and_stderr_at_once_without_deadlock()
    {
        await using var child = TestChild.Spec("write-both", HundredMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).WithCapturedOutput().Start();

        var result = await child.CommunicateAsync();

        Assert.Equal(HundredMegabytes, result.Stdout.Length);
        Assert.Equal(HundredMegabytes, result.Stderr.Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task Input_and_output_flow_at_once_through_a_child_that_echoes()
    {
        var input = new byte[20 * 1024 * 1024];
        new Random(7).NextBytes(input);
        await using var sync = TestChild.Spec("cat").WithStdin(Stdio.Pipe).WithCapturedOutput().Start();
        await using var async = TestChild.Spec("cat").WithStdin(Stdio.Pipe).WithCapturedOutput().Start();

        var viaPoll = await Task.Run(() => sync.Communicate(input));
        var viaReactor = await async.CommunicateAsync(input);

        Assert.Equal(input, viaPoll.Stdout);
        Assert.Equal(input, viaReactor.Stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_communicate_timeout_carries_the_partial_output_and_leaves_the_child_alive()
    {
        await Task.Yield();
        using var child = TestChild.Spec("out", "before", "sleep", "30").WithCapturedOutput().Start();

        // Each timeout carries everything read so far; a loaded machine may need a few before the child has written.
        ProcessTimeoutException error;
        var attempts = 0;
        do
            error = Assert.Throws<ProcessTimeoutException>(() => child.Communicate(timeout: TimeSpan.FromMilliseconds(300)));
        while (error.Stdout.Length == 0 && ++attempts < 30);

        Assert.Equal("before\n", Encoding.UTF8.GetString(error.Stdout));
        Assert.True(IsAlive(child.Pid));
        child.Terminate();
        var result = child.Communicate();
        Assert.Equal(-15, result.ReturnCode);
        Assert.Equal("before\n", result.StdoutText);
    }

    [Fact(Timeout = 30_000)]
    public async Task Communicate_again_after_a_timeout_loses_no_byte()
    {
        // The pause is long enough that even a slow, loaded machine calls Communicate before it ends.
        await using var child = TestChild.Spec("out", "one", "sleep", "3", "out", "two").WithCapturedOutput().Start();

        var first = await Assert.ThrowsAsync<ProcessTimeoutException>(() => child.CommunicateAsync(timeout: TimeSpan.FromMilliseconds(200)));
        var rest = await child.CommunicateAsync();

        Assert.Equal("one\n", Encoding.UTF8.GetString(first.Stdout));
        Assert.Equal("one\ntwo\n", rest.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_timeout_in_the_middle_of_a_large_output_loses_no_byte_when_resumed()
    {
        // 64 MiB of random bytes through cat: the chunks the output is gathered in reach the mapped sizes.
        var input = new byte[64 * 1024 * 1024];
        new Random(13).NextBytes(input);
        await using var child = TestChild.Spec("cat").WithStdin(Stdio.Pipe).WithCapturedOutput().Start();

        ProcessTimeoutException? first = null;
        try
        {
            await child.CommunicateAsync(input, timeout: TimeSpan.FromMilliseconds(50));
        }
        catch (ProcessTimeoutException e)
        {
            first = e;
        }

        var result = await child.CommunicateAsync();

        Assert.Equal(input, result.Stdout);
        if (first is not null)
            Assert.Equal(input.AsSpan(0, first.Stdout.Length).ToArray(), first.Stdout);
    }

    [Fact(Timeout = 120_000)]
    public async Task Cancelled_again_and_again_mid_stream_CommunicateAsync_loses_no_byte_in_either_direction()
    {
        // Cancellations land while input is being fed and output read, at every point of the reactor's turns.
        var input = new byte[16 * 1024 * 1024];
        new Random(21).NextBytes(input);
        await using var child = TestChild.Spec("cat").WithStdin(Stdio.Pipe).WithCapturedOutput().Start();
        CompletedProcess? result = null;
        var cancellations = 0;
        for (var attempt = 0; result is null; attempt++)
        {
            // Cancelled from a thread of its own, not a timer: a busy thread pool would run a timer late,
            // after the call was over. The first call cannot be over in time: the child is still starting.
            using var cancel = new CancellationTokenSource();
            var delay = 1 + (attempt % 7);
            var canceller = new Thread(() => { Thread.Sleep(delay); cancel.Cancel(); }) { IsBackground = true };
            canceller.Start();
            try
            {
                result = await child.CommunicateAsync(attempt == 0 ? input : default, cancellationToken: cancel.Token);
            }
            catch (OperationCanceledException)
            {
                cancellations++;
            }

            canceller.Join(); // before the source is disposed
        }

        Assert.True(cancellations > 0, "no call was cancelled, so nothing was tested");
        Assert.Equal(input, result.Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task CommunicateAsync_on_many_children_while_another_thread_polls_them_completes_every_one()
    {
        // Poll reaps on the polling thread, racing the reactor and each collection's own reap for every exit.
        var children = Enumerable.Range(0, 100).Select(i => TestChild.Spec("out", $"child {i}").WithCapturedOutput().Start()).ToArray();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var child in children)
                    child.Poll();
            }
        });
        try
        {
            var results = await Task.WhenAll(children.Select(c => c.CommunicateAsync()));

            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"child {i}\n"), results.Select(r => r.StdoutText));
            Assert.All(results, r => Assert.True(r.Status.Success));
        }
        finally
        {
            await stop.CancelAsync();
            await poller;
            foreach (var child in children)
                child.Dispose();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_CommunicateAsync_stops_reading_and_leaves_the_child()
    {
        await using var child = TestChild.Spec("sleep", "30").WithCapturedOutput().Start();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => child.CommunicateAsync(cancellationToken: cancel.Token));

        Assert.True(child.IsRunning);
        await child.StopAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task Output_lines_arrive_as_an_async_stream()
    {
        await using var child = TestChild.Spec("out", "first", "sleep", "0.2", "out", "second", "out", "third").WithStdout(Stdio.Pipe).Start();

        var lines = new List<string>();
        await foreach (var line in child.ReadLinesAsync())
            lines.Add(line);

        Assert.Equal(["first", "second", "third"], lines);
        Assert.True((await child.WaitAsync()).Success);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stdin_is_a_writable_stream()
    {
        await using var child = TestChild.Spec("count-stdin").WithStdin(Stdio.Pipe).WithStdout(Stdio.Pipe).Start();

        await child.StandardInput!.WriteAsync(new byte[300_000]);
        child.StandardInput.Write(new byte[1000]);
        await child.StandardInput.DisposeAsync();
        var result = await child.CommunicateAsync();

        Assert.Equal("301000\n", result.StdoutText);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_child_that_closes_stdin_early_does_not_break_communicate()
    {
        await using var child = TestChild.Spec("out", "done").WithStdin(Stdio.Pipe).WithStdout(Stdio.Pipe).Start();

        var result = await child.CommunicateAsync(new byte[10 * 1024 * 1024]);

        Assert.Equal("done\n", result.StdoutText);
    }

    [Fact(Timeout = 30_000)]
    public async Task Input_without_a_stdin_pipe_is_refused_with_advice()
    {
        await using var child = TestChild.Spec("out", "x").Start();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => child.CommunicateAsync("data"u8.ToArray()));

        Assert.Contains("Stdio.Pipe", error.Message, StringComparison.Ordinal);
        await child.WaitAsync();
    }
}
