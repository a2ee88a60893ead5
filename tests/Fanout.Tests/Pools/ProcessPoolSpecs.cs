namespace Fanout.Tests.Pools;

public sealed class ProcessPoolSpecs : ProcessTestBase
{
    [Fact(Timeout = 20_000)]
    public async Task A_submitted_call_runs_in_a_worker_process_and_its_future_holds_the_value()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        var doubled = executor.Submit(PoolTargets.Double, 21);
        var pid = executor.Submit(PoolTargets.Pid);

        Assert.Equal(42, await doubled);
        Assert.NotEqual(Environment.ProcessId, await pid);
        Assert.Contains(await pid, executor.WorkerPids);
    }

    [Fact(Timeout = 20_000)]
    public async Task Map_returns_results_in_input_order_with_chunks()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        var results = executor.Map(PoolTargets.Double, Enumerable.Range(0, 1000), chunkSize: 7).ToList();

        Assert.Equal(Enumerable.Range(0, 1000).Select(n => n * 2), results);
    }

    [Fact(Timeout = 20_000)]
    public async Task An_exception_in_a_worker_arrives_as_a_remote_exception_with_its_type_and_message()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);

        var future = executor.Submit(PoolTargets.Fail, "boom");

        var error = await Assert.ThrowsAsync<RemoteException>(async () => await future);
        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        Assert.Equal("boom", error.RemoteMessage);
        Assert.Equal(12, await executor.Submit(PoolTargets.Double, 6));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_worker_killed_by_SIGKILL_fails_only_its_own_task_and_is_replaced()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        var others = Enumerable.Range(0, 10).Select(n => executor.Submit(PoolTargets.SleepThenDouble, 0.05, n)).ToList();

        var killed = executor.Submit(PoolTargets.KillSelf);

        var lost = await Assert.ThrowsAsync<WorkerLostException>(async () => await killed);
        Assert.Equal(Signal.Kill, lost.Signal);
        foreach (var (future, n) in others.Select((f, n) => (f, n)))
            Assert.Equal(n * 2, await future);
        Assert.Equal(8, await executor.Submit(PoolTargets.Double, 4));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_worker_that_dies_behind_a_deep_pipeline_fails_only_the_task_it_was_running()
    {
        // One worker with thousands of tiny tasks queued: the pipeline is deep, and when the worker
        // kills itself many finished replies are still unread. Each must keep its value; only the
        // task that was running is lost, and the ones queued behind it run on the next worker.
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var before = Enumerable.Range(0, 3_000).Select(n => executor.Submit(PoolTargets.Double, n)).ToList();
        var killed = executor.Submit(PoolTargets.KillSelf);
        var after = Enumerable.Range(0, 3_000).Select(n => executor.Submit(PoolTargets.Double, n)).ToList();

        var lost = await Assert.ThrowsAsync<WorkerLostException>(async () => await killed);
        Assert.Equal(Signal.Kill, lost.Signal);
        foreach (var (future, n) in before.Concat(after).Select((f, i) => (f, i % 3_000)))
            Assert.Equal(n * 2, await future);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_worker_killed_from_outside_mid_task_fails_that_task_with_the_signal()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = await executor.Submit(PoolTargets.Pid);
        var slow = executor.Submit(PoolTargets.SleepThenDouble, 30.0, 1);
        Assert.True(Eventually(() => slow.IsRunning, TimeSpan.FromSeconds(5)));

        Interop.Libc.kill(pid, 9);

        var lost = await Assert.ThrowsAsync<WorkerLostException>(async () => await slow);
        Assert.Equal(pid, lost.Pid);
        Assert.Equal(Signal.Kill, lost.Signal);
        Assert.NotEqual(pid, await executor.Submit(PoolTargets.Pid));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_task_over_the_per_task_timeout_kills_and_replaces_its_worker()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1, taskTimeout: TimeSpan.FromMilliseconds(500));
        var before = await executor.Submit(PoolTargets.Pid);

        var slow = executor.Submit(PoolTargets.SleepThenDouble, 30.0, 1);

        var timeout = await Assert.ThrowsAsync<TaskTimeoutException>(async () => await slow);
        Assert.Equal(before, timeout.Pid);
        Assert.False(IsAlive(before));
        Assert.NotEqual(before, await executor.Submit(PoolTargets.Pid));
    }

    [Fact(Timeout = 20_000)]
    public async Task Cancelling_a_running_task_with_CancelOrKill_kills_its_worker_and_the_pool_goes_on()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = await executor.Submit(PoolTargets.Pid);
        var slow = executor.Submit(PoolTargets.SleepThenDouble, 30.0, 1);
        Assert.True(Eventually(() => slow.IsRunning, TimeSpan.FromSeconds(5)));

        Assert.False(slow.Cancel());
        Assert.True(slow.CancelOrKill());

        Assert.True(slow.IsCancelled);
        Assert.True(Eventually(() => !IsAlive(pid), TimeSpan.FromSeconds(5)));
        Assert.Equal(4, await executor.Submit(PoolTargets.Double, 2));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_result_that_cannot_be_serialized_arrives_as_a_remote_exception_with_its_text()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);

        var future = executor.Submit(PoolTargets.Loop);

        var error = await Assert.ThrowsAsync<RemoteException>(async () => await future);
        Assert.Contains("cannot be sent back", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Equal(2, await executor.Submit(PoolTargets.Double, 1));
    }

    [Fact(Timeout = 20_000)]
    public async Task The_initializer_runs_in_every_worker_before_its_tasks()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2, initializer: PoolTargets.SetMarker, initArgs: ["ready"]);

        var markers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => executor.Submit(PoolTargets.Marker).AsTask()));

        Assert.All(markers, m => Assert.Equal("ready", m));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_worker_is_replaced_after_max_tasks_per_child()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1, maxTasksPerChild: 2);

        var pids = new List<int>();
        for (var i = 0; i < 4; i++)
            pids.Add(await executor.Submit(PoolTargets.Pid));

        Assert.Equal(pids[0], pids[1]);
        Assert.Equal(pids[2], pids[3]);
        Assert.NotEqual(pids[0], pids[2]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Submitting_after_shutdown_throws_a_clear_error_and_disposal_leaves_no_worker()
    {
        var executor = new ProcessPoolExecutor(maxWorkers: 2);
        var result = executor.Submit(PoolTargets.Double, 1);

        executor.Shutdown(wait: true);

        Assert.Equal(2, await result);
        var error = Assert.Throws<InvalidOperationException>(() => executor.Submit(PoolTargets.Double, 1));
        Assert.Contains("shut down", error.Message, StringComparison.Ordinal);
        Assert.Empty(Children());
    }

    [Fact(Timeout = 20_000)]
    public async Task Shutdown_with_cancel_pending_cancels_what_has_not_started()
    {
        var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var running = executor.Submit(PoolTargets.SleepThenDouble, 0.5, 1);
        Assert.True(Eventually(() => running.IsRunning, TimeSpan.FromSeconds(5)));
        var pending = Enumerable.Range(0, 5).Select(n => executor.Submit(PoolTargets.Double, n)).ToList();

        executor.Shutdown(wait: true, cancelPending: true);

        Assert.Equal(2, await running);
        Assert.All(pending, f => Assert.True(f.IsCancelled));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_capturing_lambda_is_refused_at_the_call_site()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var factor = 3;

        var error = Assert.Throws<ArgumentException>(() => executor.Submit((int n) => n * factor, 2));

        Assert.Contains("captures", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 20_000)]
    public async Task Calls_queued_behind_a_call_whose_worker_dies_run_on_the_next_worker()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        await executor.Submit(PoolTargets.Pid);
        var slow = executor.Submit(PoolTargets.SleepThenDouble, 0.3, 1);
        var killed = executor.Submit(PoolTargets.KillSelf);
        var after = Enumerable.Range(0, 5).Select(n => executor.Submit(PoolTargets.Double, n)).ToList();

        Assert.Equal(2, await slow);
        await Assert.ThrowsAsync<WorkerLostException>(async () => await killed);
        var results = await Task.WhenAll(after.Select(f => f.AsTask()));
        Assert.Equal([0, 2, 4, 6, 8], results);
    }

    [Fact(Timeout = 20_000)]
    public async Task CancelOrKill_of_a_call_that_has_not_started_cancels_it_without_killing_the_worker()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var pid = await executor.Submit(PoolTargets.Pid);
        var slow = executor.Submit(PoolTargets.SleepThenDouble, 0.3, 1);
        var queued = executor.Submit(PoolTargets.Double, 2);

        Assert.True(queued.CancelOrKill());

        Assert.True(queued.IsCancelled);
        Assert.Equal(2, await slow);
        Assert.Equal(pid, await executor.Submit(PoolTargets.Pid));
    }
}
