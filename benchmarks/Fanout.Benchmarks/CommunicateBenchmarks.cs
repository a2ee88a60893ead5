using System.Diagnostics;
using System.Globalization;

namespace Fanout.Benchmarks;

/// <summary>
/// Reads <c>--bytes</c> of a child's stdout (<c>head -c N /dev/zero</c>) into memory and waits
/// for it: the time from the start to the whole output in one byte array.
/// </summary>
internal static class CommunicateBenchmarks
{
    internal static async Task<Result> RunAsync(Options options)
    {
        var implementation = options.Text("impl", "fanout");
        var bytes = options.Long("bytes", 1L << 30);
        var warmupBytes = options.Long("warmup-bytes", 16L << 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Array.MaxLength);

        Func<long, Task<byte[]>> read = implementation switch
        {
            "fanout" => n => Task.FromResult(FanoutSync(n)),
            "fanout-async" => FanoutAsync,
            "dotnet" => n => Task.FromResult(Dotnet(n)),
            _ => throw new ArgumentException($"Unknown implementation '{implementation}' (fanout, fanout-async, dotnet)."),
        };

        if (warmupBytes > 0)
            Check(await read(warmupBytes), warmupBytes);
        GC.Collect();
        Workers.Settle();
        var clock = Stopwatch.StartNew();
        var output = await read(bytes);
        var seconds = clock.Elapsed.TotalSeconds;
        Check(output, bytes);
        return new Result("communicate", implementation)
            .Add("bytes", bytes)
            .Add("seconds", seconds)
            .Add("gib_per_s", bytes / (double)(1L << 30) / seconds)
            .Add("peak_rss_mib", Math.Round(PeakResidentBytes() / (double)(1 << 20), 1));
    }

    /// <summary>The most this process has held resident (the kernel's VmHWM), the output array included.</summary>
    private static long PeakResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static ProcessSpec Head(long bytes) =>
        new ProcessSpec("head", "-c", bytes.ToString(CultureInfo.InvariantCulture), "/dev/zero").WithStdout(Stdio.Pipe);

    private static byte[] FanoutSync(long bytes)
    {
        using var child = Head(bytes).Start();
        var result = child.Communicate();
        if (!result.Status.Success)
            throw new BenchmarkFailedException($"head {result.Status}.");
        return result.Stdout;
    }

    private static async Task<byte[]> FanoutAsync(long bytes)
    {
        using var child = Head(bytes).Start();
        var result = await child.CommunicateAsync();
        if (!result.Status.Success)
            throw new BenchmarkFailedException($"head {result.Status}.");
        return result.Stdout;
    }

    private static byte[] Dotnet(long bytes)
    {
        var info = new ProcessStartInfo("head", ["-c", bytes.ToString(CultureInfo.InvariantCulture), "/dev/zero"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(info) ?? throw new BenchmarkFailedException("Process.Start returned null.");
        using var memory = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(memory);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new BenchmarkFailedException($"head exited with {process.ExitCode}.");
        return memory.ToArray();
    }

    private static void Check(byte[] output, long expected)
    {
        if (output.LongLength != expected)
            throw new BenchmarkFailedException($"Read {output.LongLength} bytes, expected {expected}.");
    }
}
