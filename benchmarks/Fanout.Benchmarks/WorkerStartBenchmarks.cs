using System.Diagnostics;
using System.Globalization;

namespace Fanout.Benchmarks;

/// <summary>
/// Worker cold start: the time from <c>Start()</c> to the first line of the worker's target,
/// one worker at a time, against the floor — a .NET hello world (this harness in <c>hello</c>
/// mode) started through the same <c>dotnet</c> host, timed to its first line. Both read the
/// system's monotonic clock, which <see cref="Stopwatch"/> shares across processes on Linux.
/// Reports the median in milliseconds.
/// </summary>
internal static class WorkerStartBenchmarks
{
    internal static Result Run(Options options)
    {
        var implementation = options.Text("impl", "fanout");
        var count = options.Int("count", 20);
        var warmup = options.Int("warmup", 2);
        Func<long> once = implementation switch
        {
            "fanout" => WorkerOnce,
            "hello" => HelloOnce,
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (fanout, hello)."),
        };

        for (var i = 0; i < warmup; i++)
            once();
        var samples = Enumerable.Range(0, count).Select(_ => once()).Order().ToList();
        return new Result("worker-start", implementation)
            .Add("count", count)
            .Add("median_ms", Milliseconds(samples[samples.Count / 2]))
            .Add("min_ms", Milliseconds(samples[0]));
    }

    /// <summary>What the hello mode prints: the timestamp as its first line.</summary>
    internal static void Hello() => Console.Out.WriteLine(Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));

    /// <summary>The target: returns the timestamp of its first line.</summary>
    private static long FirstLine() => Stopwatch.GetTimestamp();

    private static long WorkerOnce()
    {
        var started = Stopwatch.GetTimestamp();
        var worker = new WorkerProcess(FirstLine);
        worker.Start();
        worker.Join();
        return worker.GetResult<long>() - started;
    }

    private static long HelloOnce()
    {
        // The same host, runtime configuration and dependency manifest a worker gets.
        var self = typeof(WorkerStartBenchmarks).Assembly.Location;
        var dotnet = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        var spec = new ProcessSpec(dotnet, "exec",
                "--runtimeconfig", Path.ChangeExtension(self, ".runtimeconfig.json"),
                "--depsfile", Path.ChangeExtension(self, ".deps.json"),
                self, "hello")
            .WithStdout(Stdio.Pipe);
        var started = Stopwatch.GetTimestamp();
        var result = spec.Run(check: true);
        return long.Parse(result.StdoutText.Trim(), CultureInfo.InvariantCulture) - started;
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
