using System.Diagnostics;

namespace Fanout.Tests;

public sealed class BarrierSpecs : SharingTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Nobody_passes_the_barrier_before_every_process_arrived()
    {
        using var barrier = SharedBarrier.Create(4);
        using var arrivals = SharedValue<long>.Create();
        var workers = Enumerable.Range(0, 3).Select(_ => new WorkerProcess(SharingTargets.ArriveThenRead, barrier, arrivals)).ToList();
        workers.ForEach(w => w.Start());
        Assert.True(Eventually(() => barrier.Waiting == 3, TimeSpan.FromSeconds(20)));

        arrivals.Add(1);
        var index = barrier.Wait(TimeSpan.FromSeconds(5));
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.Equal(3, index);
        Assert.All(workers, w => Assert.Equal(4L, w.Result));
        Assert.Equal(0, barrier.Waiting);
        barrier.Unlink();
        arrivals.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_timed_out_wait_breaks_the_barrier_until_it_is_reset()
    {
        using var barrier = SharedBarrier.Create(2);

        var clock = Stopwatch.StartNew();
        Assert.Throws<BrokenBarrierException>(() => barrier.Wait(TimeSpan.FromMilliseconds(200)));
        var waited = clock.Elapsed;
        Assert.True(barrier.IsBroken);
        Assert.Throws<BrokenBarrierException>(() => barrier.Wait(TimeSpan.FromSeconds(5)));
        barrier.Reset();

        Assert.True(waited >= TimeSpan.FromMilliseconds(190), $"gave up after {waited}");
        Assert.False(barrier.IsBroken);
        Assert.Equal(0, barrier.Waiting);
        barrier.Unlink();
        await Task.CompletedTask;
    }
}
