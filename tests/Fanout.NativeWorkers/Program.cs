// Worker scenarios in an application compiled ahead of time (NativeAOT), for
// tests/Fanout.Tests/NativeWorkerSpecs.cs. Each prints "name: result" lines. A worker runs this
// same executable, and Fanout takes it over before Main: "main <pid>" must appear once.
using System.Text.Json.Serialization;
using Fanout;

[assembly: WorkerJsonContext(typeof(NativeJson))]

Console.WriteLine($"main {Environment.ProcessId}");
switch (args)
{
    case ["all"]:
        Scenarios.All();
        return 0;
    case ["orphan"]:
        Scenarios.Orphan();
        return 0;
    case ["rebuilt"]:
        Scenarios.Rebuilt();
        return 0;
    default:
        Console.Error.WriteLine("usage: Fanout.NativeWorkers all|orphan|rebuilt");
        return 2;
}

/// <summary>The scenarios; the workers' targets are below them.</summary>
internal static class Scenarios
{
    internal static void All()
    {
        Counter();
        Run("result", new WorkerProcess(Targets.Square, 7), w => $"{w.ExitCode} {w.Result}");
        Run("lambda", new WorkerProcess(static (string text, bool loud) => loud ? text.ToUpperInvariant() : text, "abc", true), w => $"{w.Result}");
        Run("name", new WorkerProcess(Targets.OwnName) { Name = "native-1" }, w => $"{w.Result}");
        Run("throws", new WorkerProcess(Targets.Throw, "boom"), w => $"{w.ExitCode} {w.Error?.RemoteType} {w.Error?.RemoteMessage}");
        Run("exit", new WorkerProcess(Targets.Exit, 7), w => $"{w.ExitCode}");
        Run("async", new WorkerProcess(Targets.HalfAsync, 42L), w => $"{w.Result}");
        Run("icu", new WorkerProcess(Targets.UsesIcu), w => $"{w.Result}");
        Run("record", new WorkerProcess(Targets.Summarize, new Job("job-a", [1, 2, 3])), w => $"{w.GetResult<Summary>()}");
        Run("list", new WorkerProcess(Targets.Split, "a,b,c"), w => string.Join('|', w.GetResult<List<string>>()));
        Terminate();
        Refused();
        Pools();
    }

    /// <summary>A worker that sleeps, for a test that kills this process with SIGKILL: the worker must not outlive it.</summary>
    internal static void Orphan()
    {
        var worker = new WorkerProcess(Targets.Sleep, 60_000);
        worker.Start();
        Console.WriteLine($"worker {worker.Pid}");
        worker.Join();
    }

    /// <summary>Starts a worker once a line arrives on stdin, by which time the test has replaced this executable.</summary>
    internal static void Rebuilt()
    {
        Console.WriteLine("ready");
        _ = Console.ReadLine();
        var worker = new WorkerProcess(Targets.Square, 3);
        worker.Start();
        worker.Join();
        Console.WriteLine($"rebuilt: {worker.ExitCode} {worker.Error?.RemoteMessage}");
    }

    private static void Counter()
    {
        using var total = SharedValue<long>.Create();
        using var semaphore = SharedSemaphore.Create(1);
        WorkerProcess[] workers =
        [
            new(Targets.CountAndAdd, 1_000_000L, total, semaphore),
            new(Targets.CountAndAdd, 1_000_000L, total, semaphore),
            new(Targets.CountAndAddAtomically, 1_000_000L, total),
            new(Targets.CountAndAddAtomically, 1_000_000L, total),
        ];
        foreach (var worker in workers)
            worker.Start();
        foreach (var worker in workers)
            worker.Join();
        Console.WriteLine($"counter: {total.Value} {string.Join(',', workers.Select(w => w.ExitCode))}");
        total.Unlink();
        semaphore.Unlink();
    }

    private static void Pools()
    {
        using (var pool = new Pool(2))
        {
            // Compact calls (one primitive in, one out), a lambda, and two arguments (the reflection invoker).
            Console.WriteLine($"pool: {string.Join(',', pool.Map(Targets.Square, Enumerable.Range(1, 5)))}");
            Console.WriteLine($"pool-lambda: {string.Join(',', pool.Map(static (string s) => s.Length, ["a", "bb", "ccc"]))}");
            Console.WriteLine($"pool-two: {string.Join(',', pool.Map(Targets.Add, [1, 2], [10L, 20L]))}");
        }

        using var executor = new ProcessPoolExecutor(2);
        var futures = new[] { executor.Submit(Targets.Square, 9), executor.Submit(Targets.Square, 10) };
        Console.WriteLine($"executor: {futures[0].Result()} {futures[1].Result()}");
    }

    private static void Terminate()
    {
        var worker = new WorkerProcess(Targets.Sleep, 60_000);
        worker.Start();
        worker.Terminate();
        worker.Join();
        Console.WriteLine($"terminate: {worker.ExitCode}");
    }

    private static void Refused()
    {
        try
        {
            _ = new WorkerProcess(Targets.Norm, new Point(3, 4));
            Console.WriteLine("refused: no");
        }
        catch (ArgumentException e)
        {
            Console.WriteLine($"refused: {e.Message}");
        }
    }

    private static void Run(string name, WorkerProcess worker, Func<WorkerProcess, string> describe)
    {
        worker.Start();
        worker.Join();
        Console.WriteLine($"{name}: {describe(worker)}");
    }
}

/// <summary>Plain data, which a native application cannot send without reflection metadata: not in <see cref="NativeJson"/>.</summary>
internal sealed record Point(int X, int Y);

/// <summary>Data that crosses through the generated context below.</summary>
internal sealed record Job(string Name, int[] Values);

internal sealed record Summary(string Name, int Total);

/// <summary>The types that cross to and from workers beside numbers, booleans, strings and shared objects.</summary>
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(Summary))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class NativeJson : JsonSerializerContext;

internal static class Targets
{
    internal static int Square(int n) => n * n;

    internal static long Add(int a, long b) => a + b;

    internal static string OwnName() => CurrentProcess.Name;

    internal static void Throw(string message) => throw new InvalidOperationException(message);

    internal static void Exit(int code) => Environment.Exit(code);

    internal static void Sleep(int milliseconds) => Thread.Sleep(milliseconds);

    internal static async Task<long> HalfAsync(long n)
    {
        await Task.Yield();
        return n / 2;
    }

    /// <summary>Whether this process has ICU loaded: a native worker must not need it.</summary>
    internal static bool UsesIcu() => File.ReadAllText("/proc/self/maps").Contains("libicu", StringComparison.Ordinal);

    internal static Summary Summarize(Job job) => new(job.Name, job.Values.Sum());

    internal static List<string> Split(string text) => [.. text.Split(',')];

    internal static double Norm(Point p) => Math.Sqrt((p.X * p.X) + (p.Y * p.Y));

    internal static void CountAndAdd(long number, SharedValue<long> total, SharedSemaphore semaphore)
    {
        var counted = Count(number);
        using (semaphore.Hold())
            total.Ref += counted;
    }

    internal static void CountAndAddAtomically(long number, SharedValue<long> total) => total.Add(Count(number));

    private static long Count(long number)
    {
        long counted = 0;
        for (long i = 0; i < number; i++)
            counted++;
        return counted;
    }
}
