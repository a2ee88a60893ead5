using System.Diagnostics;
using System.Globalization;

namespace Fanout.Benchmarks;

/// <summary>
/// Worker cold start: the time from <c>Start()</c> to the first line of the worker's target,
/// one worker at a time, against the floor — a .NET hello world (this harness in <c>hello</c>
/// mode) started through the same <c>dotnet</c> host, timed to its first line. Both read the
/// system's monotonic clock, which <see cref="Stopwatch"/> shares across processes on Linux.
/// <c>hello-lifetime</c> times the same hello world from its start to its exit, reaped and its
/// output read: the yardstick of the pools' first-result goal. Reports the median in milliseconds.
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
            "hello-lifetime" => HelloLifetimeOnce,
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (fanout, hello, hello-lifetime)."),
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
        var started = Stopwatch.GetTimestamp();
        var result = HelloWorld.Run(check: true);
        return long.Parse(result.StdoutText.Trim(), CultureInfo.InvariantCulture) - started;
    }

    private static long HelloLifetimeOnce()
    {
        var started = Stopwatch.GetTimestamp();
        HelloWorld.Run(check: true);
        return Stopwatch.GetTimestamp() - started;
    }

    /// <summary>The hello world with the same host, runtime configuration and dependency manifest a worker gets.</summary>
    private static ProcessSpec HelloWorld { get; } = CreateHelloWorld();

    private static ProcessSpec CreateHelloWorld()
    {
        var self = typeof(WorkerStartBenchmarks).Assembly.Location;
        var dotnet = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return new ProcessSpec(dotnet, "exec",
                "--runtimeconfig", Path.ChangeExtension(self, ".runtimeconfig.json"),
                "--depsfile", Path.ChangeExtension(self, ".deps.json"),
                self, "hello")
            .WithStdout(Stdio.Pipe);
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
