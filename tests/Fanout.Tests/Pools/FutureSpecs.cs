namespace Fanout.Tests.Pools;

public sealed class FutureSpecs : ProcessTestBase
{
    [Fact(Timeout = 10_000)]
    public async Task A_future_moves_from_pending_to_running_to_finished_and_holds_the_value()
    {
        var future = new Future<int>();
        Assert.Equal(FutureState.Pending, future.State);

        Assert.True(future.TrySetRunning());
        Assert.True(future.IsRunning);
        Assert.False(future.IsDone);
        Assert.True(future.TrySetResult(7));

        Assert.Equal(FutureState.Finished, future.State);
        Assert.True(future.IsDone);
        Assert.Equal(7, future.Result());
        Assert.Null(future.Exception());
        Assert.Equal(7, await future);
        Assert.Equal(7, await future.AsTask());
    }

    [Fact(Timeout = 10_000)]
    public async Task Cancel_succeeds_only_before_the_call_starts()
    {
        var pending = new Future<int>();
        var running = new Future<int>();
        var finished = new Future<int>();
        running.TrySetRunning();
        finished.TrySetRunning();
        finished.TrySetResult(1);

        Assert.True(pending.Cancel());
        Assert.True(pending.Cancel());
        Assert.False(running.Cancel());
        Assert.False(running.CancelOrKill());
        Assert.False(finished.Cancel());

        Assert.True(pending.IsCancelled && pending.IsDone);
        Assert.False(pending.TrySetRunning());
        Assert.Throws<OperationCanceledException>(() => pending.Result());
        Assert.Throws<OperationCanceledException>(() => pending.Exception());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.True(running.IsRunning);
    }

    [Fact(Timeout = 10_000)]
    public async Task Illegal_transitions_throw()
    {
        var future = new Future<int>();
        future.TrySetRunning();
        future.TrySetResult(1);

        Assert.Throws<InvalidOperationException>(() => future.TrySetRunning());
        Assert.Throws<InvalidOperationException>(() => future.TrySetResult(2));
        Assert.Throws<InvalidOperationException>(() => future.TrySetException(new InvalidOperationException()));
        Assert.Equal(1, future.Result());
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task The_calls_exception_is_rethrown_by_Result_and_await_and_returned_by_Exception()
    {
        var future = new Future<int>();
        future.TrySetRunning();
        var thrown = new FormatException("bad input");

        future.TrySetException(thrown);

        Assert.Same(thrown, Assert.Throws<FormatException>(() => future.Result()));
        Assert.Same(thrown, future.Exception());
        Assert.Same(thrown, await Assert.ThrowsAsync<FormatException>(async () => await future));
    }

    [Fact(Timeout = 10_000)]
    public async Task Result_and_Exception_throw_a_timeout_exception_when_not_done_in_time()
    {
        var future = new Future<int>();

        Assert.Throws<FutureTimeoutException>(() => future.Result(TimeSpan.FromMilliseconds(50)));
        Assert.Throws<FutureTimeoutException>(() => future.Exception(TimeSpan.FromMilliseconds(50)));
        Assert.False(future.Wait(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(FutureState.Pending, future.State);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Callbacks_run_once_each_in_order_on_completion_and_at_once_when_added_after()
    {
        var future = new Future<int>();
        var calls = new List<string>();
        future.AddDoneCallback(f => calls.Add($"first {f.Result()}"));
        future.AddDoneCallback((Future f) => calls.Add("second"));
        future.TrySetRunning();
        Assert.Empty(calls);

        future.TrySetResult(5);
        future.AddDoneCallback(f => calls.Add("late"));

        Assert.Equal(["first 5", "second", "late"], calls);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Callbacks_run_on_cancellation_and_a_throwing_callback_does_not_stop_the_others()
    {
        var future = new Future<int>();
        var calls = new List<string>();
        future.AddDoneCallback(_ => throw new InvalidOperationException("callback bug"));
        future.AddDoneCallback(f => calls.Add(f.IsCancelled ? "cancelled" : "done"));

        Assert.True(future.Cancel());

        Assert.Equal(["cancelled"], calls);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Submit_on_a_thread_pool_runs_the_call_and_map_keeps_input_order()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 3);

        var power = executor.Submit(System.Numerics.BigInteger.Pow, new System.Numerics.BigInteger(323), 1235);
        var squares = executor.Map(static (int n) => { Thread.Sleep((10 - n) * 5); return n * n; }, Enumerable.Range(0, 10)).ToList();

        Assert.Equal(System.Numerics.BigInteger.Pow(323, 1235), await power);
        Assert.Equal(Enumerable.Range(0, 10).Select(n => n * n), squares);
    }

    [Fact(Timeout = 10_000)]
    public async Task Map_throws_a_timeout_exception_when_results_are_late()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 2);

        var results = executor.Map(static (double s) => { Thread.Sleep(TimeSpan.FromSeconds(s)); return s; }, [0.01, 1.0], timeout: TimeSpan.FromMilliseconds(400));

        using var e = results.GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Throws<FutureTimeoutException>(() => e.MoveNext());
    }

    [Fact(Timeout = 20_000)]
    public async Task Map_reads_an_endless_input_lazily_with_bounded_work_in_flight()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        var read = 0;
        IEnumerable<int> Endless()
        {
            for (var n = 0; ; n++)
            {
                Interlocked.Increment(ref read);
                yield return n;
            }
        }

        var first = executor.Map(PoolTargets.Double, Endless(), chunkSize: 10).Take(100).ToList();

        Assert.Equal(Enumerable.Range(0, 100).Select(n => n * 2), first);
        Assert.InRange(read, 100, 100 + (10 * ProcessPoolEngine.MapWindow(2, 10)) + 10);
    }

    [Fact(Timeout = 10_000)]
    public async Task Map_schedules_its_first_calls_before_iteration()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 2);
        using var started = new CountdownEvent(2);

        var results = executor.Map((int n) => { started.Signal(); return n; }, [1, 2]);

        Assert.True(started.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal([1, 2], results.ToList());
    }

    [Fact(Timeout = 10_000)]
    public async Task Wait_returns_when_the_first_completes_the_first_throws_or_all_complete()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 4);
        // Gates rather than sleeps: which future is done at each Wait must not depend on how fast the machine is.
        using var failNow = new ManualResetEventSlim();
        using var finishSlow = new ManualResetEventSlim();
        var fast = executor.Submit(static () => 1);
        var failing = executor.Submit(() => { failNow.Wait(); return Fail(); });
        var slow = executor.Submit(() => { finishSlow.Wait(); return 3; });
        Future[] all = [fast, failing, slow];

        var (firstDone, firstNotDone) = Futures.Wait(all, returnWhen: ReturnWhen.FirstCompleted);
        failNow.Set();
        var (exceptionDone, exceptionNotDone) = Futures.Wait(all, returnWhen: ReturnWhen.FirstException);
        var (timedOutDone, timedOutNotDone) = Futures.Wait(all, TimeSpan.FromMilliseconds(1));
        finishSlow.Set();
        var (allDone, allNotDone) = Futures.Wait(all);

        Assert.Equal([fast], firstDone);
        Assert.Equal([failing, slow], firstNotDone.OrderBy(f => Array.IndexOf(all, f)));
        Assert.Equal([fast, failing], exceptionDone.OrderBy(f => Array.IndexOf(all, f)));
        Assert.Equal([slow], exceptionNotDone);
        Assert.Equal([slow], timedOutNotDone);
        Assert.Equal(2, timedOutDone.Count);
        Assert.Equal(3, allDone.Count);
        Assert.Empty(allNotDone);

        static int Fail() => throw new InvalidOperationException("fails");
    }

    [Fact(Timeout = 10_000)]
    public async Task Wait_accepts_plain_tasks()
    {
        var done = Task.CompletedTask;
        var never = new TaskCompletionSource().Task;

        var (finished, notFinished) = Futures.Wait([done, never], TimeSpan.FromMilliseconds(50));

        Assert.Equal([done], finished);
        Assert.Equal([never], notFinished);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task AsCompleted_yields_futures_in_completion_order_sync_and_async()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 3);
        List<Future<int>> Start() =>
            [.. new[] { 800, 10, 400 }.Select(ms => executor.Submit(static (int ms) => { Thread.Sleep(ms); return ms; }, ms))];

        var order = Futures.AsCompleted(Start()).Select(f => f.Result()).ToList();
        var asyncOrder = new List<int>();
        await foreach (var future in Futures.AsCompletedAsync(Start()))
            asyncOrder.Add(await future);

        Assert.Equal([10, 400, 800], order);
        Assert.Equal([10, 400, 800], asyncOrder);
    }

    [Fact(Timeout = 10_000)]
    public async Task AsCompleted_throws_a_timeout_exception_for_futures_not_done_in_time_and_takes_tasks()
    {
        var done = new Future<int>();
        done.TrySetRunning();
        done.TrySetResult(1);
        var never = new Future<int>();

        using var e = Futures.AsCompleted([never, done], TimeSpan.FromMilliseconds(100)).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Same(done, e.Current);
        Assert.Throws<FutureTimeoutException>(() => e.MoveNext());

        var tasks = new[] { Task.Delay(200), Task.Delay(10) };
        Assert.Equal([tasks[1], tasks[0]], Futures.AsCompletedTasks(tasks).ToList());
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task A_thread_pool_rejects_submits_after_shutdown_and_cancel_pending_cancels_the_queue()
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 1);
        using var gate = new ManualResetEventSlim();
        var running = executor.Submit((Func<int>)(() => { gate.Wait(); return 1; }));
        Assert.True(Eventually(() => running.IsRunning, TimeSpan.FromSeconds(5)));
        var queued = executor.Submit(static () => 2);

        executor.Shutdown(wait: false, cancelPending: true);
        gate.Set();
        executor.Shutdown(wait: true);

        Assert.True(queued.IsCancelled);
        Assert.Equal(1, await running);
        var error = Assert.Throws<InvalidOperationException>(() => executor.Submit(static () => 3));
        Assert.Contains("shut down", error.Message, StringComparison.Ordinal);
    }
}
