using System.Diagnostics;

namespace Fanout.Tests;

public sealed class SemaphoreSpecs : SharingTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Four_workers_adding_to_a_shared_long_under_a_semaphore_reach_the_exact_total()
    {
        using var total = SharedValue<long>.Create();
        using var semaphore = SharedSemaphore.Create(1);
        var workers = Enumerable.Range(0, 4).Select(_ => new WorkerProcess(SharingTargets.IncrementUnderSemaphore, total, semaphore, 20_000)).ToList();

        workers.ForEach(w => w.Start());
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.All(workers, w => Assert.Null(w.Error));
        Assert.Equal(80_000, total.Value);
        Assert.Equal(1, semaphore.Value);
        total.Unlink();
        semaphore.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_negative_initial_value_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedSemaphore.Create(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedBoundedSemaphore.Create(-1));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Acquire_without_a_unit_left_returns_false_at_once_when_not_blocking_and_after_the_timeout_otherwise()
    {
        using var semaphore = SharedSemaphore.Create(0);

        var clock = Stopwatch.StartNew();
        var nonBlocking = semaphore.Acquire(blocking: false);
        var immediate = clock.Elapsed;
        clock.Restart();
        var timed = semaphore.Acquire(TimeSpan.FromMilliseconds(300));
        var waited = clock.Elapsed;

        Assert.False(nonBlocking);
        Assert.True(immediate < TimeSpan.FromMilliseconds(50), $"took {immediate}");
        Assert.False(timed);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
        semaphore.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task A_release_in_a_worker_wakes_an_acquire_waiting_in_the_parent()
    {
        using var semaphore = SharedSemaphore.Create(0);
        var worker = new WorkerProcess(SharingTargets.ReleaseAfter, semaphore, 300);

        worker.Start();
        var clock = Stopwatch.StartNew();
        var acquired = semaphore.Acquire(TimeSpan.FromSeconds(15));

        Assert.True(acquired);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"woke after {clock.Elapsed}");
        await worker.JoinAsync();
        Assert.Equal(0, semaphore.Value);
        semaphore.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task Hold_releases_the_unit_at_the_end_of_the_scope_and_attach_by_name_shares_the_count()
    {
        using var semaphore = SharedSemaphore.Create(2, TestName("sem"));
        using var other = SharedSemaphore.Attach(semaphore.Name);

        using (other.Hold())
        {
            Assert.Equal(1, semaphore.Value);
            Assert.True(semaphore.Acquire(blocking: false));
            Assert.False(semaphore.Acquire(blocking: false));
            semaphore.Release();
        }

        Assert.Equal(2, semaphore.Value);
        semaphore.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task A_bounded_semaphore_refuses_a_release_above_its_initial_value()
    {
        using var semaphore = SharedBoundedSemaphore.Create(1);

        semaphore.Acquire();
        semaphore.Release();
        var error = Assert.Throws<SemaphoreFullException>(semaphore.Release);

        Assert.Contains(semaphore.Name, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, semaphore.Value);
        semaphore.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Attaching_to_an_object_of_another_kind_is_refused()
    {
        using var gate = SharedLock.Create();

        var error = Assert.Throws<FanoutException>(() => SharedSemaphore.Attach(gate.Name));

        Assert.Contains("is a lock", error.Message, StringComparison.Ordinal);
        Assert.Throws<SharedMemoryNotFoundException>(() => SharedSemaphore.Attach(TestName("nothing")));
        gate.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task A_worker_killed_while_holding_a_unit_never_gives_it_back()
    {
        using var semaphore = SharedSemaphore.Create(1);
        using var holding = SharedEvent.Create();
        var worker = new WorkerProcess(SharingTargets.HoldUnitForever, semaphore, holding);
        worker.Start();
        Assert.True(holding.Wait(TimeSpan.FromSeconds(15)));

        worker.Kill();
        await worker.JoinAsync();

        Assert.False(semaphore.Acquire(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(0, semaphore.Value);
        semaphore.Unlink();
        holding.Unlink();
    }
}
