namespace Fanout.Tests.Pools;

public sealed class PoolSpecs : ProcessTestBase
{
    [Fact(Timeout = 20_000)]
    public async Task Map_returns_every_result_in_input_order_with_automatic_chunks()
    {
        await using var pool = new Pool(2);

        var results = pool.Map(PoolTargets.Double, Enumerable.Range(0, 10_000));

        Assert.Equal(Enumerable.Range(0, 10_000).Select(n => n * 2), results);
    }

    [Fact(Timeout = 5_000)]
    public async Task The_automatic_chunk_size_is_pythons_four_chunks_per_worker_rounded_up()
    {
        Assert.Equal(1, Pool.AutomaticChunkSize(3, 4));
        Assert.Equal(1, Pool.AutomaticChunkSize(0, 4));
        Assert.Equal(12_500, Pool.AutomaticChunkSize(100_000, 2));
        Assert.Equal(12_501, Pool.AutomaticChunkSize(100_001, 2));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task Map_of_a_method_that_returns_nothing_gives_a_list_of_nulls()
    {
        await using var pool = new Pool(2);

        var results = pool.Map(PoolTargets.SetMarker, ["a", "b", "c"]);

        Assert.Equal([null, null, null], results);
    }

    [Fact(Timeout = 20_000)]
    public async Task Imap_is_ordered_and_lazy_and_ImapUnordered_yields_as_calls_finish()
    {
        await using var pool = new Pool(2);

        var ordered = pool.Imap(PoolTargets.Double, Enumerable.Range(0, 50), chunkSize: 3).ToList();
        var unordered = pool.ImapUnordered(PoolTargets.SleepThenDouble2, [0.6, 0.0]).ToList();
        var endless = pool.Imap(PoolTargets.Double, Enumerable.Range(0, int.MaxValue)).Take(20).ToList();

        Assert.Equal(Enumerable.Range(0, 50).Select(n => n * 2), ordered);
        Assert.Equal([0.0, 1.2], unordered);
        Assert.Equal(Enumerable.Range(0, 20).Select(n => n * 2), endless);
    }

    [Fact(Timeout = 20_000)]
    public async Task Starmap_unpacks_each_pair_of_arguments()
    {
        await using var pool = new Pool(2);

        var results = pool.Starmap(PoolTargets.SleepThenDouble, [(0.0, 1), (0.0, 2), (0.0, 3)]);

        Assert.Equal([2, 4, 6], results);
    }

    [Fact(Timeout = 20_000)]
    public async Task ApplyAsync_on_four_workers_runs_four_calls_at_once_on_distinct_pids()
    {
        await using var pool = new Pool(4);
        var callbacks = new List<int>();

        var results = Enumerable.Range(0, 4).Select(_ => pool.ApplyAsync(PoolTargets.PidAfter, 0.5, pid => { lock (callbacks) callbacks.Add(pid); })).ToList();
        Assert.False(results[0].Ready);
        var pids = results.Select(r => r.Get(TimeSpan.FromSeconds(10))).ToList();

        Assert.Equal(4, pids.Distinct().Count());
        Assert.All(results, r => Assert.True(r.Successful));
        Assert.True(Eventually(() => { lock (callbacks) return callbacks.Count == 4; }, TimeSpan.FromSeconds(5)));
        Assert.Equal(2, pool.Apply(PoolTargets.Double, 1));
    }

    [Fact(Timeout = 20_000)]
    public async Task An_async_result_reports_failure_through_Get_Successful_and_the_error_callback()
    {
        await using var pool = new Pool(1);
        Exception? reported = null;

        var result = pool.ApplyAsync(PoolTargets.Fail, "bad", errorCallback: e => reported = e);

        Assert.True(result.Wait(TimeSpan.FromSeconds(10)));
        Assert.False(result.Successful);
        Assert.Equal("bad", Assert.Throws<RemoteException>(() => result.Get()).RemoteMessage);
        Assert.True(Eventually(() => reported is RemoteException, TimeSpan.FromSeconds(5)));
        Assert.Throws<FutureTimeoutException>(() => pool.ApplyAsync(PoolTargets.SleepThenDouble, 5.0, 1).Get(TimeSpan.FromMilliseconds(50)));
        pool.Terminate();
    }

    [Fact(Timeout = 20_000)]
    public async Task A_killed_worker_fails_only_its_chunk_of_a_map_and_never_hangs_the_pool()
    {
        await using var pool = new Pool(2);

        var killed = pool.ApplyAsync(PoolTargets.KillSelf);
        var results = pool.Map(PoolTargets.Double, Enumerable.Range(0, 100));

        Assert.IsType<WorkerLostException>(Assert.ThrowsAny<Exception>(() => killed.Get(TimeSpan.FromSeconds(10))));
        Assert.Equal(Enumerable.Range(0, 100).Select(n => n * 2), results);
    }

    [Fact(Timeout = 20_000)]
    public async Task Close_then_Join_finishes_queued_work_and_Terminate_kills_the_workers()
    {
        var pool = new Pool(2);
        var queued = pool.ApplyAsync(PoolTargets.SleepThenDouble, 0.2, 5);
        Assert.Throws<InvalidOperationException>(() => pool.Join());

        pool.Close();
        Assert.Throws<InvalidOperationException>(() => pool.Apply(PoolTargets.Double, 1));
        pool.Join();

        Assert.Equal(10, queued.Get());
        Assert.Empty(Children());

        var terminated = new Pool(1);
        var pids = terminated.WorkerPids;
        var running = terminated.ApplyAsync(PoolTargets.SleepThenDouble, 30.0, 1);
        Assert.True(Eventually(() => running.Future.IsRunning, TimeSpan.FromSeconds(10)));
        terminated.Terminate();
        Assert.True(terminated.Join(TimeSpan.FromSeconds(10)));
        Assert.True(running.Future.IsCancelled);
        Assert.All(pids, pid => Assert.False(IsAlive(pid)));
        await Task.CompletedTask;
    }
}
