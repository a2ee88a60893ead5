using System.Diagnostics;

namespace Fanout.Tests;

public sealed class QueueSpecs : SharingTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Three_producers_and_two_consumers_lose_and_duplicate_nothing_and_keep_each_producers_order()
    {
        using var queue = SharedQueue.Create(4096); // small: producers often wait for room
        var producers = Enumerable.Range(0, 3).Select(p => new WorkerProcess(QueueTargets.Produce, queue, p, 3_000)).ToList();
        var consumers = Enumerable.Range(0, 2).Select(_ => new WorkerProcess(QueueTargets.ConsumeUntilPill, queue)).ToList();

        consumers.ForEach(c => c.Start());
        producers.ForEach(p => p.Start());
        foreach (var producer in producers)
            await producer.JoinAsync();
        foreach (var _ in consumers)
            queue.PutObject(new QueueItem(-1, -1)); // one poison pill per consumer
        foreach (var consumer in consumers)
            await consumer.JoinAsync();

        Assert.All([.. producers, .. consumers], w => Assert.Null(w.Error));
        var received = consumers.Select(c => c.GetResult<List<QueueItem>>()).ToList();
        Assert.Equal(9_000, received.Sum(r => r.Count));
        Assert.Equal(
            [.. Enumerable.Range(0, 3).SelectMany(p => Enumerable.Range(0, 3_000).Select(i => new QueueItem(p, i)))],
            received.SelectMany(r => r).OrderBy(m => m.Producer).ThenBy(m => m.Sequence).ToList());
        foreach (var list in received)
        {
            foreach (var group in list.GroupBy(m => m.Producer))
                Assert.Equal(group.Select(m => m.Sequence).Order(), group.Select(m => m.Sequence));
        }

        Assert.True(queue.IsEmpty);
        queue.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task Get_on_an_empty_queue_times_out_and_a_message_too_large_for_the_ring_is_refused()
    {
        using var queue = SharedQueue.Create(64);

        var clock = Stopwatch.StartNew();
        var got = queue.TryGet(out var message, TimeSpan.FromMilliseconds(200));

        Assert.False(got);
        Assert.Null(message);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"returned after {clock.Elapsed}");
        Assert.Throws<ArgumentException>(() => queue.Put(new byte[61]));
        queue.Put(new byte[60]);
        Assert.False(queue.TryPut(new byte[1], TimeSpan.FromMilliseconds(50)));
        Assert.True(queue.TryGet(out message, TimeSpan.Zero));
        Assert.Equal(60, message.Length);
        queue.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task A_full_queue_makes_a_producer_wait_until_a_consumer_in_another_process_takes_a_message()
    {
        using var queue = SharedQueue.Create(64);
        var producer = new WorkerProcess(QueueTargets.PutBytes, queue, 20, 20); // 24 bytes each: two fit at a time

        producer.Start();
        var sizes = new List<int>();
        for (var i = 0; i < 20 && queue.TryGet(out var message, TimeSpan.FromSeconds(10)); i++)
            sizes.Add(message.Length);
        await producer.JoinAsync();

        Assert.Null(producer.Error);
        Assert.Equal(Enumerable.Repeat(20, 20), sizes);
        queue.Unlink();
    }

    [Fact(Timeout = 20_000)]
    public async Task Shutdown_lets_consumers_take_what_is_left_then_wakes_them_with_QueueShutDownException()
    {
        using var queue = SharedQueue.Create();
        var consumer = new WorkerProcess(QueueTargets.ConsumeUntilShutDown, queue);
        queue.Put([1]);
        queue.Put([2]);

        consumer.Start();
        Assert.True(Eventually(() => queue.IsEmpty, TimeSpan.FromSeconds(15)));
        await Task.Delay(100);
        queue.Shutdown();
        await consumer.JoinAsync();

        Assert.Equal(2, consumer.Result);
        Assert.Throws<QueueShutDownException>(() => queue.Put([3]));
        queue.Unlink();
    }
}
