using System.Diagnostics;

namespace Fanout.Benchmarks;

/// <summary>
/// Spawn + wait of <c>/bin/true</c>, or (capture) <c>/bin/echo hello</c> with its stdout read to
/// the end, <c>--count</c> times with <c>--parallel</c> children in flight.
/// </summary>
internal static class SpawnBenchmarks
{
    private static readonly byte[] Hello = "hello\n"u8.ToArray();

    internal static async Task<Result> RunAsync(Options options, bool capture)
    {
        var implementation = options.Text("impl", "fanout");
        var count = options.Int("count", 2000);
        var parallel = options.Int("parallel", 8);
        var warmup = options.Int("warmup", 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);

        Func<int, Task<double>> measure = (implementation, capture) switch
        {
            ("fanout", false) => n => Workers.OnTasks(n, parallel, FanoutTrueAsync),
            ("fanout-sync", false) => n => Task.FromResult(Workers.OnThreads(n, parallel, FanoutTrue)),
            ("dotnet", false) => n => Task.FromResult(Workers.OnThreads(n, parallel, DotnetTrue)),
            ("dotnet-async", false) => n => Workers.OnTasks(n, parallel, DotnetTrueAsync),
            ("fanout", true) => n => Workers.OnTasks(n, parallel, FanoutEchoAsync),
            ("fanout-sync", true) => n => Task.FromResult(Workers.OnThreads(n, parallel, FanoutEcho)),
            ("dotnet", true) => n => Task.FromResult(Workers.OnThreads(n, parallel, DotnetEcho)),
            ("dotnet-async", true) => n => Workers.OnTasks(n, parallel, DotnetEchoAsync),
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (fanout, fanout-sync, dotnet, dotnet-async)."),
        };

        // Rounds until the JIT has nothing left to compile: the async path's state machines reach
        // their final code only after a few hundred calls and a pause, later than one round ends.
        if (warmup > 0)
            Workers.WarmUp(() => measure(warmup).GetAwaiter().GetResult());

        // This process's own CPU time (its threads, not the children's): the overhead per spawn, which a busy machine's noise hides in the rate.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var seconds = await measure(count);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore;
        return new Result(capture ? "capture" : "spawn", implementation)
            .Add("count", count)
            .Add("parallel", parallel)
            .Add("seconds", seconds)
            .Add("rate", count / seconds)
            .Add("self_cpu_us_per_spawn", cpu.TotalMicroseconds / count)
            .Add("methods_compiled_while_measuring", compiled);
    }

    private static readonly ProcessSpec True = new("/bin/true");
    private static readonly ProcessSpec Echo = new ProcessSpec("/bin/echo", "hello").WithStdout(Stdio.Pipe);

    private static async Task FanoutTrueAsync()
    {
        using var child = True.Start();
        Check(await child.WaitAsync());
    }

    private static void FanoutTrue()
    {
        using var child = True.Start();
        Check(child.Wait());
    }

    private static async Task FanoutEchoAsync()
    {
        var result = await Echo.RunAsync();
        Check(result.Status, result.Stdout);
    }

    private static void FanoutEcho()
    {
        using var child = Echo.Start();
        var result = child.Communicate();
        Check(result.Status, result.Stdout);
    }

    private static void DotnetTrue()
    {
        var info = new ProcessStartInfo("/bin/true") { UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new BenchmarkFailedException("Process.Start returned null.");
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new BenchmarkFailedException($"/bin/true exited with {process.ExitCode}.");
    }

    private static async Task DotnetTrueAsync()
    {
        var info = new ProcessStartInfo("/bin/true") { UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new BenchmarkFailedException("Process.Start returned null.");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new BenchmarkFailedException($"/bin/true exited with {process.ExitCode}.");
    }

    private static async Task DotnetEchoAsync()
    {
        var info = new ProcessStartInfo("/bin/echo", ["hello"]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var process = Process.Start(info) ?? throw new BenchmarkFailedException("Process.Start returned null.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || output != "hello\n")
            throw new BenchmarkFailedException($"/bin/echo exited with {process.ExitCode} and wrote '{output}'.");
    }

    private static void DotnetEcho()
    {
        var info = new ProcessStartInfo("/bin/echo", ["hello"]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var process = Process.Start(info) ?? throw new BenchmarkFailedException("Process.Start returned null.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || output != "hello\n")
            throw new BenchmarkFailedException($"/bin/echo exited with {process.ExitCode} and wrote '{output}'.");
    }

    private static void Check(ExitStatus status, byte[]? output = null)
    {
        if (!status.Success)
            throw new BenchmarkFailedException($"The child {status}.");
        if (output is not null && !output.AsSpan().SequenceEqual(Hello))
            throw new BenchmarkFailedException($"The child wrote {output.Length} bytes, not 'hello\\n'.");
    }
}
