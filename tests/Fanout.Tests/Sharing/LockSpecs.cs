namespace Fanout.Tests;

public sealed class LockSpecs : SharingTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Four_workers_adding_under_a_lock_reach_the_exact_total()
    {
        using var total = SharedValue<long>.Create();
        using var gate = SharedLock.Create();
        var workers = Enumerable.Range(0, 4).Select(_ => new WorkerProcess(SharingTargets.IncrementUnderLock, total, gate, 20_000)).ToList();

        workers.ForEach(w => w.Start());
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.All(workers, w => Assert.Null(w.Error));
        Assert.Equal(80_000, total.Value);
        Assert.False(gate.IsLocked);
        total.Unlink();
        gate.Unlink();
    }

    [Fact(Timeout = 60_000)]
    public async Task Four_workers_adding_atomically_without_any_lock_reach_the_exact_totals()
    {
        using var totals = SharedArray<long>.Create(2);
        var workers = Enumerable.Range(0, 4).Select(_ => new WorkerProcess(SharingTargets.IncrementAtomically, totals, 250_000)).ToList();

        workers.ForEach(w => w.Start());
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.All(workers, w => Assert.Null(w.Error));
        Assert.Equal([1_000_000L, 2_000_000L], totals.AsSpan().ToArray());
        totals.Unlink();
    }

    [Fact(Timeout = 20_000)]
    public async Task A_worker_killed_holding_the_lock_hands_it_to_the_next_acquirer_with_an_AbandonedLockException()
    {
        using var gate = SharedLock.Create();
        using var holding = SharedEvent.Create();
        var worker = new WorkerProcess(SharingTargets.HoldLockForever, gate, holding);
        worker.Start();
        Assert.True(holding.Wait(TimeSpan.FromSeconds(15)));
        Assert.False(gate.Acquire(blocking: false));

        worker.Kill();
        await worker.JoinAsync();
        var error = Assert.Throws<AbandonedLockException>(() => gate.Acquire(TimeSpan.FromSeconds(5)));

        Assert.Equal(worker.Pid, error.DeadOwnerPid);
        Assert.Equal(Environment.ProcessId, gate.OwnerPid);
        gate.Release();
        Assert.True(gate.Acquire(blocking: false));
        gate.Release();
        gate.Unlink();
        holding.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task Releasing_a_lock_this_process_does_not_hold_is_refused()
    {
        using var gate = SharedLock.Create();

        Assert.Throws<SynchronizationLockException>(gate.Release);
        gate.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task A_reentrant_lock_is_taken_again_by_its_thread_and_kept_from_other_processes_until_the_last_release()
    {
        // The lock belongs to a thread, so this part stays on one: joins here block rather than await.
        using var gate = SharedReentrantLock.Create();
        gate.Acquire();
        gate.Acquire();
        gate.Release();

        var whileHeld = new WorkerProcess(SharingTargets.TryLock, gate, 200);
        whileHeld.Start();
        whileHeld.Join();
        var otherThread = true;
        var thread = new Thread(() => otherThread = gate.Acquire(TimeSpan.FromMilliseconds(100)));
        thread.Start();
        thread.Join();
        gate.Release();
        var afterRelease = new WorkerProcess(SharingTargets.TryLock, gate, 5_000);
        afterRelease.Start();
        await afterRelease.JoinAsync();

        Assert.Equal(false, whileHeld.Result);
        Assert.False(otherThread);
        Assert.Equal(true, afterRelease.Result);
        Assert.Equal(0, gate.Count);
        gate.Unlink();
    }

    [Fact(Timeout = 20_000)]
    public async Task Setting_an_event_wakes_every_worker_waiting_on_it()
    {
        using var signal = SharedEvent.Create();
        using var waiting = SharedValue<int>.Create();
        var workers = Enumerable.Range(0, 3).Select(_ => new WorkerProcess(SharingTargets.WaitForEvent, signal, waiting, 15_000)).ToList();
        workers.ForEach(w => w.Start());
        Assert.True(Eventually(() => waiting.Value == 3, TimeSpan.FromSeconds(15)));
        await Task.Delay(100);

        signal.Set();
        foreach (var worker in workers)
            await worker.JoinAsync();

        Assert.All(workers, w => Assert.Equal(true, w.Result));
        Assert.True(signal.IsSet);
        signal.Clear();
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(100)));
        signal.Unlink();
        waiting.Unlink();
    }
}
