using System.Diagnostics;

namespace Fanout.Tests;

public sealed class PipeSpecs : SharingTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Objects_and_bytes_make_round_trips_through_a_worker_both_ways()
    {
        var (parentEnd, childEnd) = Pipe.Create();
        using var _ = parentEnd;
        var worker = new WorkerProcess(PipeTargets.Echo, childEnd);
        worker.Start();
        childEnd.Dispose(); // the worker holds its own copy

        parentEnd.Send(100);
        var echoed = new List<QueueItem>();
        for (var i = 0; i < 100; i++)
        {
            parentEnd.Send(new QueueItem(1, i));
            echoed.Add(parentEnd.Receive<QueueItem>());
        }

        var big = new byte[3 << 20]; // far more than a socket buffer: both sides wait for room
        Random.Shared.NextBytes(big);
        parentEnd.SendBytes(big);
        var back = parentEnd.ReceiveBytes();
        await worker.JoinAsync();

        Assert.Null(worker.Error);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => new QueueItem(1, 2 * i)), echoed);
        Assert.Equal(big.Reverse(), back);
        Assert.Throws<EndOfStreamException>(() => parentEnd.ReceiveBytes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Async_sends_and_receives_cross_to_a_worker_and_back()
    {
        var (parentEnd, childEnd) = Pipe.Create();
        using var _ = parentEnd;
        var worker = new WorkerProcess(PipeTargets.SumAsync, childEnd);
        worker.Start();
        childEnd.Close();

        for (long i = 1; i <= 1000; i++)
            await parentEnd.SendAsync(i);
        await parentEnd.SendAsync(-1L);
        var sum = await parentEnd.ReceiveAsync<long>();
        await worker.JoinAsync();

        Assert.Null(worker.Error);
        Assert.Equal(500_500, sum);
        Assert.Equal(500_500L, worker.Result);
        await Assert.ThrowsAsync<EndOfStreamException>(() => parentEnd.ReceiveBytesAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Receiving_after_a_worker_closed_its_end_gives_every_message_then_EndOfStreamException()
    {
        var (receiving, sending) = Pipe.Create(duplex: false);
        using var _ = receiving;
        var worker = new WorkerProcess(PipeTargets.SendThenExit, sending, 3);
        worker.Start();
        sending.Dispose();
        await worker.JoinAsync();

        var messages = Enumerable.Range(0, 3).Select(_ => receiving.Receive<string>()).ToList();

        Assert.Equal(["message 0", "message 1", "message 2"], messages);
        Assert.True(receiving.Poll(), "the end of stream is ready to receive");
        var end = Assert.Throws<EndOfStreamException>(() => receiving.Receive<string>());
        Assert.Contains("other end of the connection was closed", end.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_one_way_pipe_refuses_the_wrong_direction_and_a_send_to_a_closed_end_fails()
    {
        var (receiving, sending) = Pipe.Create(duplex: false);
        using (receiving)
        using (sending)
        {
            Assert.True(receiving.CanReceive);
            Assert.False(receiving.CanSend);
            Assert.False(sending.CanReceive);
            Assert.True(sending.CanSend);
            Assert.Throws<NotSupportedException>(() => receiving.SendBytes([1]));
            Assert.Throws<NotSupportedException>(() => sending.ReceiveBytes());
            Assert.Throws<NotSupportedException>(() => sending.Poll());

            sending.SendBytes([]);
            Assert.Empty(receiving.ReceiveBytes());
            receiving.Close();
            Assert.True(receiving.IsClosed);
            Assert.Throws<ObjectDisposedException>(() => receiving.ReceiveBytes());
            var broken = Assert.Throws<IOException>(() => sending.SendBytes([1, 2, 3]));
            Assert.Contains("broken pipe", broken.Message, StringComparison.Ordinal);
        }

        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Poll_times_out_when_nothing_was_sent_and_sees_a_message_once_one_is()
    {
        var (left, right) = Pipe.Create();
        using (left)
        using (right)
        {
            Assert.False(left.Poll());
            var clock = Stopwatch.StartNew();
            Assert.False(left.Poll(TimeSpan.FromMilliseconds(200)));
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"returned after {clock.Elapsed}");
            Assert.False(await left.PollAsync(TimeSpan.FromMilliseconds(100)));

            var arriving = left.PollAsync(TimeSpan.FromSeconds(5));
            right.Send("ping");
            Assert.True(await arriving);
            Assert.True(left.Poll(Timeout.InfiniteTimeSpan));
            Assert.Equal("ping", left.Receive<string>());
            Assert.False(left.Poll());
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task A_connection_cannot_be_sent_where_its_descriptor_cannot_follow()
    {
        var (left, right) = Pipe.Create();
        using (left)
        using (right)
        {
            var refused = Assert.Throws<NotSupportedException>(() => System.Text.Json.JsonSerializer.Serialize(left));
            Assert.Contains("only as an argument of a new WorkerProcess", refused.Message, StringComparison.Ordinal);
            using var pool = new ProcessPoolExecutor(1);
            Assert.Throws<ArgumentException>(() => pool.Submit<int>(PipeTargets.Echo, left));
        }

        await Task.CompletedTask;
    }
}
