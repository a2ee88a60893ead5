using System.Diagnostics;

namespace Fanout.Benchmarks;

/// <summary>
/// Pools with 2 workers and <c>f(n) = n * 2</c>, after a warm-up of the same pool:
/// <c>map-chunk1</c> (Pool.Map of --count tasks with chunk size 1), <c>submit</c> (--count futures
/// submitted one by one to a ProcessPoolExecutor, then all awaited), <c>map-auto</c> (Pool.Map
/// with its automatic chunks), reported in tasks per second; <c>first-result</c> (a new pool of 2
/// until its first Apply returns), reported as the median in milliseconds.
/// </summary>
internal static class PoolBenchmarks
{
    internal static Result Run(Options options)
    {
        var implementation = options.Text("impl", "map-chunk1");
        var processes = options.Int("processes", 2);
        if (implementation == "first-result")
        {
            var count = options.Int("count", 10);
            FirstResult(processes);
            var samples = Enumerable.Range(0, count).Select(_ => FirstResult(processes)).Order().ToList();
            return new Result("pool", implementation)
                .Add("count", count)
                .Add("median_ms", samples[samples.Count / 2])
                .Add("min_ms", samples[0]);
        }

        var tasks = options.Int("count", implementation == "submit" ? 20_000 : 100_000);
        var inputs = Enumerable.Range(0, tasks).ToList();
        using var pool = implementation == "submit" ? null : new Pool(processes);
        using var executor = implementation == "submit" ? new ProcessPoolExecutor(processes) : null;
        var warmup = inputs.Take(Math.Min(tasks, 1000)).ToList();
        Func<List<int>, List<int>> run = implementation switch
        {
            "map-chunk1" => batch => pool!.Map(Double, batch, chunkSize: 1),
            "map-auto" => batch => pool!.Map(Double, batch),
            "submit" => batch => [.. batch.Select(n => executor!.Submit(Double, n)).ToList().Select(f => f.Result())],
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (map-chunk1, submit, map-auto, first-result)."),
        };

        // The warm-up: workers up, the same code compiled on both sides (as Python's peer warms its
        // pool with the same call), repeated until the runtime's tiered compilation is done.
        Workers.WarmUp(() => run(warmup));
        var clock = Stopwatch.StartNew();
        var results = run(inputs);
        var seconds = clock.Elapsed.TotalSeconds;
        Check(results);
        return new Result("pool", implementation)
            .Add("count", tasks)
            .Add("seconds", seconds)
            .Add("tasks_per_s", tasks / seconds);

        void Check(List<int> results)
        {
            if (results.Count != tasks || results[^1] != (tasks - 1) * 2)
                throw new BenchmarkFailedException("The pool returned wrong results.");
        }
    }

    private static int Double(int n) => n * 2;

    private static double FirstResult(int processes)
    {
        var clock = Stopwatch.StartNew();
        using var pool = new Pool(processes);
        pool.Apply(Double, 21);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        pool.Terminate();
        return elapsed;
    }
}
