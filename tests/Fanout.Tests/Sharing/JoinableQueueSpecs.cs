using System.Diagnostics;

namespace Fanout.Tests;

public sealed class JoinableQueueSpecs : SharingTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Join_returns_once_workers_in_other_processes_have_marked_every_item_done()
    {
        using var queue = SharedJoinableQueue.Create(4096);
        using var processed = SharedValue<int>.Create();
        var consumers = Enumerable.Range(0, 2).Select(_ => new WorkerProcess(ConditionTargets.ConsumeAndMarkDone, queue, processed)).ToList();
        consumers.ForEach(c => c.Start());

        for (var i = 0; i < 500; i++)
            queue.PutObject(i);
        var joined = queue.Join(TimeSpan.FromSeconds(30));

        Assert.True(joined);
        Assert.Equal(500, processed.Value); // each consumer counts an item before marking it done
        Assert.Equal(0, queue.UnfinishedTasks);
        for (var i = 0; i < 200; i++)
            queue.PutObject(i);
        Assert.True(await queue.JoinAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(700, processed.Value);

        consumers.ForEach(_ => queue.PutObject(-1));
        await queue.JoinAsync(CancellationToken.None);
        foreach (var consumer in consumers)
            await consumer.JoinAsync();
        Assert.All(consumers, c => Assert.Null(c.Error));
        Assert.Equal(700, consumers.Sum(c => c.GetResult<int>()));
        queue.Unlink();
        processed.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task Join_times_out_while_an_item_is_unfinished_and_an_extra_TaskDone_is_refused()
    {
        using var queue = SharedJoinableQueue.Create(256);
        using var cancel = new CancellationTokenSource();
        queue.Put([1, 2, 3]);

        var clock = Stopwatch.StartNew();
        Assert.False(queue.Join(TimeSpan.FromMilliseconds(200)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"returned after {clock.Elapsed}");
        Assert.False(await queue.JoinAsync(TimeSpan.FromMilliseconds(100)));
        var cancelled = queue.JoinAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, queue.UnfinishedTasks);

        Assert.Equal([1, 2, 3], queue.Get());
        queue.TaskDone();
        Assert.True(queue.Join(TimeSpan.Zero));
        var refused = Assert.Throws<InvalidOperationException>(queue.TaskDone);
        Assert.Contains("more times than items were put", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, queue.UnfinishedTasks);
        queue.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_joinable_queue_attached_as_a_plain_queue_still_counts_its_puts()
    {
        var name = TestName("joinable");
        using var queue = SharedJoinableQueue.Create(256, name);
        using var attached = SharedQueue.Attach(name);
        using var plain = SharedQueue.Create(256);

        attached.Put([7]);

        Assert.IsType<SharedJoinableQueue>(attached);
        Assert.Equal(1, queue.UnfinishedTasks);
        Assert.Throws<FanoutException>(() => SharedJoinableQueue.Attach(plain.Name));
        Assert.Equal([7], queue.Get());
        ((SharedJoinableQueue)attached).TaskDone();
        Assert.True(queue.Join(TimeSpan.Zero));
        queue.Unlink();
        plain.Unlink();
        await Task.CompletedTask;
    }
}
