namespace Fanout.Tests.Pools;

/// <summary>Pools whose targets take and return primitives, which travel in the compact wire, and the JSON fallback beside them.</summary>
public sealed class CompactPoolSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Every_primitive_kind_and_its_edge_values_cross_to_a_worker_and_back()
    {
        await using var pool = new Pool(2);
        long[] longs = [long.MinValue, -1, 0, long.MaxValue];
        double[] doubles = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon, double.MaxValue, 0.1];
        string?[] texts = [null, "", "héllo ✓ 𝄞 日本語", new string('y', 70_000)];

        Assert.Equal([int.MinValue / 2 * 2, -2, 0, (int.MaxValue / 2) * 2], pool.Map(PoolTargets.Double, [int.MinValue / 2, -1, 0, int.MaxValue / 2], chunkSize: 1));
        Assert.Equal([int.MinValue, int.MaxValue], pool.Map(PoolTargets.SameInt, [int.MinValue, int.MaxValue], chunkSize: 1));
        Assert.Equal(longs, pool.Map(PoolTargets.SameLong, longs));
        Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), pool.Map(PoolTargets.SameDouble, doubles, chunkSize: 2).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal([false, true], pool.Map(PoolTargets.Not, [true, false]));
        Assert.Equal(texts, pool.Map(PoolTargets.SameText, texts, chunkSize: 3));
        Assert.Equal(texts.Select(t => t?.Length ?? -1), pool.Map(PoolTargets.Length, texts));
        Assert.Equal(["-5", "0", "2147483647"], pool.Map(PoolTargets.Text, [-5, 0, int.MaxValue]));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_instance_target_with_primitives_crosses_with_its_instance_and_two_instances_stay_apart()
    {
        await using var pool = new Pool(2);
        var triple = new Multiplier(3);
        var negate = new Multiplier(-1);

        Assert.Equal([3, 6, 9], pool.Map(triple.Apply, [1, 2, 3], chunkSize: 1));
        Assert.Equal([-1, -2, -3], pool.Map(negate.Apply, [1, 2, 3], chunkSize: 1));
        Assert.Equal(30, pool.Apply(triple.Apply, 10));
    }

    [Fact(Timeout = 30_000)]
    public async Task Targets_of_other_types_still_go_as_json_in_the_same_pool()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        var maybe = executor.Submit<int?>(PoolTargets.MaybeDouble, 21);
        var none = executor.Submit<int?>(PoolTargets.MaybeDouble, [null]);
        var half = executor.Submit<decimal>(PoolTargets.Half, 5m);
        var compact = executor.Submit<int>(PoolTargets.Double, 4);

        Assert.Equal(42, await maybe);
        Assert.Null(await none);
        Assert.Equal(2.5m, await half);
        Assert.Equal(8, await compact);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_compact_value_read_as_another_declared_type_arrives_boxed()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);

        var boxed = executor.Submit<object>(PoolTargets.Text, 12);
        var number = executor.Submit<object>(PoolTargets.SameDouble, double.NaN);

        Assert.Equal("12", await boxed);
        Assert.True(double.IsNaN((double)(await number)!));
    }

    [Fact(Timeout = 60_000)]
    public async Task Many_small_submits_with_errors_mixed_in_each_get_their_own_outcome()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        var futures = Enumerable.Range(0, 5_000).Select(n => executor.Submit<int>(PoolTargets.DoubleUnlessSeventh, n)).ToList();

        for (var n = 0; n < futures.Count; n++)
        {
            if (n % 7 == 3)
            {
                var error = await Assert.ThrowsAsync<RemoteException>(async () => await futures[n]);
                Assert.Equal($"no {n}", error.RemoteMessage);
            }
            else
            {
                Assert.Equal(n * 2, await futures[n]);
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_map_of_many_one_call_chunks_keeps_order_and_fails_with_the_first_error()
    {
        await using var pool = new Pool(2);

        var results = pool.Map(PoolTargets.Double, Enumerable.Range(0, 20_000), chunkSize: 1);
        var unordered = pool.ImapUnordered(PoolTargets.Double, Enumerable.Range(0, 5_000)).Order().ToList();
        var error = Assert.Throws<RemoteException>(() => pool.Map(PoolTargets.DoubleUnlessSeventh, Enumerable.Range(0, 20_000), chunkSize: 1));

        Assert.Equal(Enumerable.Range(0, 20_000).Select(n => n * 2), results);
        Assert.Equal(Enumerable.Range(0, 5_000).Select(n => n * 2), unordered);
        Assert.Equal("no 3", error.RemoteMessage);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_error_in_a_compact_chunk_names_the_call_that_failed()
    {
        await using var pool = new Pool(1);

        var error = Assert.Throws<RemoteException>(() => pool.Map(PoolTargets.DoubleUnlessSeventh, [0, 1, 2, 3, 4], chunkSize: 5));

        Assert.Equal("no 3 (call 4 of its chunk)", error.RemoteMessage);
        Assert.Equal([0, 2, 4], pool.Map(PoolTargets.Double, [0, 1, 2]));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_null_for_a_number_parameter_is_refused_at_the_call_site_naming_the_argument()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);

        var error = Assert.Throws<ArgumentException>(() => executor.Submit<int>(PoolTargets.Double, [null]));

        Assert.Contains("Argument 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Double", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, await executor.Submit<int>(PoolTargets.Double, 1));
    }
}
