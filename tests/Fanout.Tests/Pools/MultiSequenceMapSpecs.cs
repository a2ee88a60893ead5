namespace Fanout.Tests.Pools;

/// <summary>Map over several sequences in step, as Python's <c>map(fn, *iterables)</c>: it stops at the shortest.</summary>
public sealed class MultiSequenceMapSpecs : ProcessTestBase
{
    [Fact(Timeout = 20_000)]
    public async Task A_process_pool_executor_maps_over_two_sequences_and_stops_at_the_shorter()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        var results = executor.Map(PoolTargets.Add, [1, 2, 3, 4], [10, 20, 30]).ToList();

        Assert.Equal([11, 22, 33], results);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_process_pool_executor_maps_over_three_sequences_in_chunks()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        var results = executor.Map(PoolTargets.Describe, Enumerable.Range(0, 100), Enumerable.Repeat("x", 100), Enumerable.Repeat(true, 99), chunkSize: 7).ToList();

        Assert.Equal(Enumerable.Range(0, 99).Select(n => $"{n}x True"), results);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_process_pool_executors_two_sequence_map_reads_endless_inputs_lazily()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        static IEnumerable<int> Naturals()
        {
            for (var n = 0; ; n++)
                yield return n;
        }

        var results = executor.Map(PoolTargets.Add, Naturals(), Naturals()).Take(50).ToList();

        Assert.Equal(Enumerable.Range(0, 50).Select(n => n * 2), results);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_thread_pool_executor_maps_over_two_and_three_sequences()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 2);

        var pairs = executor.Map((int a, int b) => a * b, [1, 2, 3], [4, 5, 6, 7]).ToList();
        var triples = executor.Map((int a, int b, int c) => a + b + c, [1], [2, 3], [3, 4]).ToList();

        Assert.Equal([4, 10, 18], pairs);
        Assert.Equal([6], triples);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_interface_maps_over_two_sequences_for_any_executor()
    {
        await using IExecutor executor = new ThreadPoolExecutor(maxWorkers: 2);

        var results = executor.Map((string s, int n) => s.Length + n, ["a", "bb"], [1, 1]).ToList();

        Assert.Equal([2, 3], results);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_pool_maps_over_two_and_three_sequences_in_input_order()
    {
        await using var pool = new Pool(2);

        var pairs = pool.Map(PoolTargets.Add, Enumerable.Range(0, 1000), Enumerable.Range(0, 1001));
        var triples = pool.Map(PoolTargets.Describe, [1, 2], ["a", "b", "c"], [false, true], chunkSize: 1);
        var lazy = pool.Imap(PoolTargets.Add, [1, 2, 3], [1, 1]).ToList();

        Assert.Equal(Enumerable.Range(0, 1000).Select(n => n * 2), pairs);
        Assert.Equal(["1a False", "2b True"], triples);
        Assert.Equal([2, 3], lazy);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_pool_refuses_a_capturing_lambda_for_a_two_sequence_map_at_the_call()
    {
        await using var pool = new Pool(1);
        var offset = 3;

        var refused = Assert.Throws<ArgumentException>(() => pool.Map((int a, int b) => a + b + offset, [1], [2]));

        Assert.Contains("offset", refused.Message, StringComparison.Ordinal);
    }
}
