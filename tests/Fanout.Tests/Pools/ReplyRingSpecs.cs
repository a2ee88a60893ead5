using Fanout.Ipc;

namespace Fanout.Tests.Pools;

/// <summary>
/// The reply ring on its own: a worker's side and the parent's side mapped twice in this process
/// over the same memory file, with a real pipe beside them for doorbells and large replies.
/// </summary>
public sealed class ReplyRingSpecs
{
    [Fact(Timeout = 30_000)]
    public async Task Replies_of_every_size_arrive_whole_and_in_order_across_the_ring_and_the_pipe()
    {
        using var link = new Link();
        var random = new Random(7);
        var sent = Enumerable.Range(0, 3_000).Select(i => Payload(i, random.Next(0, ReplyRing.MaxInline * 3))).ToList();
        sent.AddRange([Payload(1, 0), Payload(2, ReplyRing.MaxInline), Payload(3, ReplyRing.MaxInline + 1), Payload(4, 200_000)]);

        // The worker runs far ahead of the parent: the ring fills and the worker waits for room.
        var worker = Task.Run(() =>
        {
            foreach (var payload in sent)
                link.Worker.Send(payload, link.PipeIn);
            link.PipeIn.Dispose();
        });
        var received = new List<byte[]>();
        while (await link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None) is { } reply)
            received.Add(reply);
        await worker;

        Assert.Equal(sent.Count, received.Count);
        for (var i = 0; i < sent.Count; i++)
            Assert.True(sent[i].AsSpan().SequenceEqual(received[i]), $"reply {i} differs");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_parent_that_waits_is_woken_by_the_next_reply()
    {
        using var link = new Link();

        var waiting = link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        link.Worker.Send("late"u8, link.PipeIn);

        Assert.Equal("late"u8.ToArray(), await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact(Timeout = 10_000)]
    public async Task After_the_worker_is_gone_every_reply_it_published_is_still_taken_then_none()
    {
        using var link = new Link();
        link.Worker.Send("one"u8, link.PipeIn);
        link.Worker.Send(new byte[ReplyRing.MaxInline + 10], link.PipeIn);
        link.Worker.Send("three"u8, link.PipeIn);
        link.PipeIn.Dispose(); // the end of stream a dead worker leaves

        Assert.Equal("one"u8.ToArray(), await link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None));
        Assert.Equal(ReplyRing.MaxInline + 10, (await link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None))!.Length);
        Assert.Equal("three"u8.ToArray(), await link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None));
        Assert.Null(await link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None));
    }

    [Fact(Timeout = 10_000)]
    public async Task Waiting_can_be_cancelled_and_a_reply_sent_meanwhile_is_not_lost()
    {
        using var link = new Link();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await link.Parent.ReceiveAsync(link.PipeOut, cancel.Token));
        link.Worker.Send("after"u8, link.PipeIn);

        Assert.Equal("after"u8.ToArray(), await link.Parent.ReceiveAsync(link.PipeOut, CancellationToken.None));
    }

    private static byte[] Payload(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A ring mapped once for each side, and the reply pipe.</summary>
    private sealed class Link : IDisposable
    {
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _file;
        private readonly Stream _readEnd;

        internal Link()
        {
            (Parent, _file) = ReplyRing.Create();
            Worker = ReplyRing.Attach(_file);
            var (read, write) = WorkerProcess.CreatePipe();
            _readEnd = WorkerProcess.ParentEnd(read, readable: true);
            PipeOut = new FrameReader(_readEnd);
            PipeIn = new FileStream(write, FileAccess.Write, bufferSize: 0);
        }

        internal ReplyRing Parent { get; }

        internal ReplyRing Worker { get; }

        internal FrameReader PipeOut { get; }

        internal Stream PipeIn { get; }

        public void Dispose()
        {
            PipeIn.Dispose();
            _readEnd.Dispose();
            Worker.Dispose();
            Parent.Dispose();
            _file.Dispose();
        }
    }
}
