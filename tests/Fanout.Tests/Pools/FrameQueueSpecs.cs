using Fanout.Ipc;

namespace Fanout.Tests.Pools;

/// <summary>The hand-off between a pool worker's reader thread and its task loop.</summary>
public sealed class FrameQueueSpecs
{
    [Fact(Timeout = 10_000)]
    public async Task Frames_come_out_in_the_order_they_went_in()
    {
        var queue = new FrameQueue();
        for (var i = 0; i < 1_000; i++)
            queue.Add([(byte)(i % 256), (byte)(i / 256)]);

        for (var i = 0; i < 1_000; i++)
            Assert.Equal([(byte)(i % 256), (byte)(i / 256)], queue.Take());
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task A_taker_that_waits_gets_every_frame_a_reader_thread_adds_later()
    {
        var queue = new FrameQueue();
        var taken = new List<byte>();
        var taker = new Thread(() =>
        {
            for (var i = 0; i < 10_000; i++)
                taken.Add(queue.Take()[0]);
        });
        taker.Start();

        for (var i = 0; i < 10_000; i++)
            queue.Add([(byte)(i % 256)]);
        taker.Join();

        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (byte)(i % 256)), taken);
        await Task.CompletedTask;
    }
}
