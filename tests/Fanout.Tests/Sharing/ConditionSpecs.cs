using System.Diagnostics;

namespace Fanout.Tests;

public sealed class ConditionSpecs : SharingTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Notify_wakes_exactly_one_waiting_worker_and_NotifyAll_wakes_the_rest()
    {
        using var condition = SharedCondition.Create();
        using var woken = SharedValue<int>.Create();
        var workers = Enumerable.Range(0, 3).Select(_ => new WorkerProcess(ConditionTargets.WaitOnce, condition, woken, 30_000)).ToList();
        workers.ForEach(w => w.Start());
        Assert.True(Eventually(() => condition.Waiting == 3, TimeSpan.FromSeconds(30)), $"{condition.Waiting} waiting");

        using (condition.Hold())
            condition.Notify();
        Assert.True(Eventually(() => woken.Value == 1, TimeSpan.FromSeconds(10)));
        await Task.Delay(500); // time for a second, wrongly woken worker to show up
        Assert.Equal(1, woken.Value);
        Assert.Equal(2, condition.Waiting);

        using (condition.Hold())
            condition.NotifyAll();
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.All(workers, w => Assert.Equal(true, w.Result));
        Assert.Equal(3, woken.Value);
        Assert.Equal(0, condition.Waiting);
        condition.Unlink();
        woken.Unlink();
    }

    [Fact(Timeout = 30_000)]
    public async Task Notify_with_a_count_wakes_that_many_workers()
    {
        using var condition = SharedCondition.Create();
        using var woken = SharedValue<int>.Create();
        var workers = Enumerable.Range(0, 4).Select(_ => new WorkerProcess(ConditionTargets.WaitOnce, condition, woken, 20_000)).ToList();
        workers.ForEach(w => w.Start());
        Assert.True(Eventually(() => condition.Waiting == 4, TimeSpan.FromSeconds(20)));

        using (condition.Hold())
            condition.Notify(2);
        Assert.True(Eventually(() => woken.Value == 2, TimeSpan.FromSeconds(10)));
        await Task.Delay(300);
        Assert.Equal(2, woken.Value);
        using (condition.Hold())
            condition.Notify(5); // more than are waiting: only the two left wake
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.All(workers, w => Assert.Equal(true, w.Result));
        Assert.Equal(0, condition.Waiting);
        condition.Unlink();
        woken.Unlink();
    }

    [Fact(Timeout = 20_000)]
    public async Task WaitFor_in_a_worker_returns_once_another_process_has_changed_the_state_and_notified()
    {
        using var condition = SharedCondition.Create();
        using var count = SharedValue<int>.Create();
        var worker = new WorkerProcess(ConditionTargets.WaitForCount, condition, count, 3);
        worker.Start();

        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(50);
            using (condition.Hold())
            {
                count.Add(1);
                condition.NotifyAll();
            }
        }

        await worker.JoinAsync();
        Assert.Null(worker.Error);
        Assert.Equal(true, worker.Result);
        condition.Unlink();
        count.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_wait_times_out_holding_the_lock_again_and_waiting_without_the_lock_is_refused()
    {
        using var condition = SharedCondition.Create();

        Assert.Throws<SynchronizationLockException>(() => condition.Wait(TimeSpan.Zero));
        Assert.Throws<SynchronizationLockException>(() => condition.Notify());
        bool notified, predicate;
        var clock = Stopwatch.StartNew();
        using (condition.Hold())
        {
            notified = condition.Wait(TimeSpan.FromMilliseconds(200));
            Assert.Equal(Environment.ProcessId, condition.Lock.OwnerPid);
            predicate = condition.WaitFor(() => false, TimeSpan.FromMilliseconds(100));
        }

        Assert.False(notified);
        Assert.False(predicate);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"returned after {clock.Elapsed}");
        Assert.False(condition.Lock.IsLocked);
        Assert.Equal(0, condition.Waiting);
        condition.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task WaitAsync_frees_the_lock_while_waiting_and_a_cancelled_wait_holds_it_again()
    {
        using var condition = SharedCondition.Create();
        using var cancel = new CancellationTokenSource();

        condition.Acquire();
        var waiting = condition.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(Eventually(() => !condition.Lock.IsLocked, TimeSpan.FromSeconds(5)));
        using (condition.Hold())
            condition.Notify();
        Assert.True(await waiting);
        Assert.Equal(Environment.ProcessId, condition.Lock.OwnerPid);

        var cancelled = condition.WaitAsync(null, cancel.Token);
        Assert.True(Eventually(() => condition.Waiting == 1, TimeSpan.FromSeconds(5)));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(Environment.ProcessId, condition.Lock.OwnerPid);
        Assert.Equal(0, condition.Waiting);
        condition.Release();
        condition.Unlink();
    }

    [Fact(Timeout = 20_000)]
    public async Task A_wait_on_a_reentrant_lock_frees_it_for_another_process_and_restores_its_depth()
    {
        using var gate = SharedReentrantLock.Create();
        using var condition = SharedCondition.Create(gate);
        gate.Acquire();
        gate.Acquire();
        var notifier = new WorkerProcess(ConditionTargets.NotifyUnderLock, condition);
        notifier.Start(); // the worker blocks on the lock until the wait below frees it

        var notified = condition.Wait(TimeSpan.FromSeconds(15));
        var depth = gate.Count;
        var asyncRefused = Record.Exception(() => { _ = condition.WaitAsync(); });
        gate.Release(); // before any await: a re-entrant lock belongs to this thread
        gate.Release();

        Assert.True(notified);
        Assert.Equal(2, depth);
        Assert.IsType<InvalidOperationException>(asyncRefused);
        await notifier.JoinAsync();
        Assert.Null(notifier.Error);
        condition.Unlink();
        Assert.True(File.Exists($"/dev/shm/{gate.Name}"), "the caller's lock is the caller's to unlink");
        gate.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_condition_attached_by_name_shares_its_lock_and_unlinking_removes_the_lock_made_for_it()
    {
        var name = TestName("condition");
        using var condition = SharedCondition.Create(name: name);
        using var attached = SharedCondition.Attach(name);

        Assert.Equal(condition.Lock.Name, attached.Lock.Name);
        Assert.IsNotType<SharedReentrantLock>(attached.Lock);
        using (condition.Hold())
            Assert.True(attached.Lock.IsLocked);
        Assert.Throws<FanoutException>(() => SharedLock.Attach(name));
        condition.Unlink();

        Assert.False(File.Exists($"/dev/shm/{condition.Lock.Name}"));
        Assert.Throws<SharedMemoryNotFoundException>(() => SharedCondition.Attach(name));
        await Task.CompletedTask;
    }
}
