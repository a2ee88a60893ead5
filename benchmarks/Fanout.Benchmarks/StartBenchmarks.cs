using System.Diagnostics;
using System.Globalization;

namespace Fanout.Benchmarks;

/// <summary>
/// The seed scenario: <c>--count</c> children of <c>/bin/sleep</c> for a pseudo-random
/// 1.2–1.3 s each, all started back to back, then all waited for. Reports the time from the
/// first start to the last start returning, and the wall time until the last wait returned.
/// </summary>
internal static class StartBenchmarks
{
    internal static Result Run(Options options)
    {
        var implementation = options.Text("impl", "fanout");
        var count = options.Int("count", 300);
        var sleepMin = options.Double("sleep-min", 1.2);
        var sleepMax = options.Double("sleep-max", 1.3);
        var warmup = options.Int("warmup", 100);
        var durations = Durations(count, sleepMin, sleepMax);

        var (startSeconds, totalSeconds) = implementation switch
        {
            "fanout" => Fanout(durations, warmup),
            "dotnet" => Dotnet(durations, warmup),
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (fanout, dotnet)."),
        };

        return new Result("start", implementation)
            .Add("count", count)
            .Add("sleep_min", sleepMin)
            .Add("sleep_max", sleepMax)
            .Add("start_seconds", startSeconds)
            .Add("total_seconds", totalSeconds);
    }

    /// <summary>The sleeps, as text: the same LCG as bench/peers/start.py, so every implementation sleeps alike.</summary>
    internal static string[] Durations(int count, double min, double max)
    {
        var durations = new string[count];
        var x = 300L;
        for (var i = 0; i < count; i++)
        {
            x = ((x * 1103515245) + 12345) % (1L << 31);
            durations[i] = (min + ((max - min) * x / (1L << 31))).ToString("F3", CultureInfo.InvariantCulture);
        }

        return durations;
    }

    private static (double Start, double Total) Fanout(string[] durations, int warmup)
    {
        var trueSpec = new ProcessSpec("/bin/true");
        for (var i = 0; i < warmup; i++)
        {
            using var warm = trueSpec.Start();
            warm.Wait();
        }

        Workers.Settle();
        var specs = durations.Select(d => new ProcessSpec("/bin/sleep", d)).ToArray();
        var children = new ChildProcess[specs.Length];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < specs.Length; i++)
            children[i] = specs[i].Start();
        var started = clock.Elapsed.TotalSeconds;
        foreach (var child in children)
        {
            var status = child.Wait();
            if (!status.Success)
                throw new BenchmarkFailedException($"{child} {status}.");
        }

        var total = clock.Elapsed.TotalSeconds;
        foreach (var child in children)
            child.Dispose();
        return (started, total);
    }

    private static (double Start, double Total) Dotnet(string[] durations, int warmup)
    {
        for (var i = 0; i < warmup; i++)
        {
            using var warm = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false });
            warm?.WaitForExit();
        }

        Workers.Settle();
        var infos = durations.Select(d => new ProcessStartInfo("/bin/sleep", [d]) { UseShellExecute = false }).ToArray();
        var processes = new Process[infos.Length];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < infos.Length; i++)
            processes[i] = Process.Start(infos[i]) ?? throw new BenchmarkFailedException("Process.Start returned null.");
        var started = clock.Elapsed.TotalSeconds;
        foreach (var process in processes)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new BenchmarkFailedException($"pid {process.Id} exited with {process.ExitCode}.");
        }

        var total = clock.Elapsed.TotalSeconds;
        foreach (var process in processes)
            process.Dispose();
        return (started, total);
    }
}
