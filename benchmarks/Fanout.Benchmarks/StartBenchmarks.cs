using System.Diagnostics;
using System.Globalization;

namespace Fanout.Benchmarks;

/// <summary>
/// Many children started back to back, then all waited for. Reports the time from the first
/// start to the last start returning, and the wall time until the last child was collected.
/// <list type="bullet">
/// <item><c>start</c>: <c>--count</c> children of <c>/bin/sleep</c> for a pseudo-random 1.2–1.3 s each.</item>
/// <item><c>seed</c>: samples/Seed000.Background exactly: <c>/bin/sh -c "sleep S; echo S"</c> with
/// stdout and stderr captured, then <c>Communicate()</c> on each in turn, checking what it printed.</item>
/// </list>
/// </summary>
internal static class StartBenchmarks
{
    internal static Result Run(Options options, bool seed)
    {
        var implementation = options.Text("impl", "fanout");
        var count = options.Int("count", 300);
        var sleepMin = options.Double("sleep-min", 1.2);
        var sleepMax = options.Double("sleep-max", 1.3);
        var warmup = options.Int("warmup", 100);
        var durations = Durations(count, sleepMin, sleepMax, seed ? "F2" : "F3");

        var (startSeconds, totalSeconds) = (implementation, seed) switch
        {
            ("fanout", false) => FanoutSleep(durations, warmup),
            ("dotnet", false) => DotnetSleep(durations, warmup),
            ("fanout", true) => FanoutSeed(durations, warmup),
            ("dotnet", true) => DotnetSeed(durations, warmup),
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (fanout, dotnet)."),
        };

        return new Result(seed ? "seed" : "start", implementation)
            .Add("count", count)
            .Add("sleep_min", sleepMin)
            .Add("sleep_max", sleepMax)
            .Add("start_seconds", startSeconds)
            .Add("total_seconds", totalSeconds);
    }

    /// <summary>The sleeps, as text: the same LCG as bench/peers/start.py, so every implementation sleeps alike.</summary>
    internal static string[] Durations(int count, double min, double max, string format)
    {
        var durations = new string[count];
        var x = 300L;
        for (var i = 0; i < count; i++)
        {
            x = ((x * 1103515245) + 12345) % (1L << 31);
            durations[i] = (min + ((max - min) * x / (1L << 31))).ToString(format, CultureInfo.InvariantCulture);
        }

        return durations;
    }

    private static void WarmUpFanout(int warmup, ProcessSpec spec) => Workers.WarmUp(() =>
    {
        for (var i = 0; i < warmup; i++)
        {
            using var warm = spec.Start();
            warm.Communicate();
        }
    });

    private static void WarmUpDotnet(int warmup, ProcessStartInfo info) => Workers.WarmUp(() =>
    {
        for (var i = 0; i < warmup; i++)
        {
            using var warm = Process.Start(info) ?? throw new BenchmarkFailedException("Process.Start returned null.");
            if (info.RedirectStandardOutput)
                warm.StandardOutput.ReadToEnd();
            if (info.RedirectStandardError)
                warm.StandardError.ReadToEnd();
            warm.WaitForExit();
        }
    });

    private static (double Start, double Total) FanoutSleep(string[] durations, int warmup)
    {
        WarmUpFanout(warmup, new ProcessSpec("/bin/true"));
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

    private static (double Start, double Total) FanoutSeed(string[] durations, int warmup)
    {
        WarmUpFanout(warmup, ProcessSpec.Shell("echo 1").WithCapturedOutput());
        var clock = Stopwatch.StartNew();
        var jobs = new List<ChildProcess>(durations.Length);
        foreach (var seconds in durations)
            jobs.Add(ProcessSpec.Shell($"sleep {seconds}; echo {seconds}").WithCapturedOutput().Start());
        var started = clock.Elapsed.TotalSeconds;
        for (var i = 0; i < jobs.Count; i++)
        {
            using var job = jobs[i];
            var result = job.Communicate();
            if (!result.Status.Success || result.StdoutText != durations[i] + "\n")
                throw new BenchmarkFailedException($"{job} {result.Status} and printed '{result.StdoutText}'.");
        }

        return (started, clock.Elapsed.TotalSeconds);
    }

    private static (double Start, double Total) DotnetSleep(string[] durations, int warmup)
    {
        WarmUpDotnet(warmup, new ProcessStartInfo("/bin/true") { UseShellExecute = false });
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

    private static ProcessStartInfo DotnetShell(string commandLine) =>
        new("/bin/sh", ["-c", commandLine]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };

    private static (double Start, double Total) DotnetSeed(string[] durations, int warmup)
    {
        WarmUpDotnet(warmup, DotnetShell("echo 1"));
        var clock = Stopwatch.StartNew();
        var jobs = new List<Process>(durations.Length);
        foreach (var seconds in durations)
            jobs.Add(Process.Start(DotnetShell($"sleep {seconds}; echo {seconds}")) ?? throw new BenchmarkFailedException("Process.Start returned null."));
        var started = clock.Elapsed.TotalSeconds;
        for (var i = 0; i < jobs.Count; i++)
        {
            using var job = jobs[i];
            // Both pipes are read at once, as Communicate does, so neither can fill up and stall the child.
            var stderr = job.StandardError.ReadToEndAsync();
            var stdout = job.StandardOutput.ReadToEnd();
            stderr.GetAwaiter().GetResult();
            job.WaitForExit();
            if (job.ExitCode != 0 || stdout != durations[i] + "\n")
                throw new BenchmarkFailedException($"pid {job.Id} exited with {job.ExitCode} and printed '{stdout}'.");
        }

        return (started, clock.Elapsed.TotalSeconds);
    }
}
