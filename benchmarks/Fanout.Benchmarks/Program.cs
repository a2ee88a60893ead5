using System.Globalization;
using Fanout.Benchmarks;

// The benchmark harness for Fanout's process spawning. Each invocation runs one measurement of one
// implementation and prints one JSON line on stdout; bench/run repeats them, interleaves the peers
// (xargs, Python, .NET's Process) and writes docs/benchmarks.md.
//
//   spawn       --impl fanout|fanout-sync|dotnet --count 2000 --parallel 8        spawn + wait /bin/true
//   capture     --impl fanout|fanout-sync|dotnet --count 2000 --parallel 8        /bin/echo hello, stdout read fully
//   start       --impl fanout|dotnet --count 300 --sleep-min 1.2 --sleep-max 1.3  /bin/sleep: start all back to back, then wait all
//   seed        --impl fanout|dotnet --count 300                                  samples/Seed000.Background: sh -c "sleep S; echo S", captured
//   communicate --impl fanout|fanout-async|dotnet --bytes 1073741824              read a child's stdout into memory
//   worker-start --impl fanout|hello --count 20                                  Start() to a worker's first line (hello: a .NET hello world's)
//   pool        --impl map-chunk1|submit|map-auto|first-result --count N          pools of 2 workers, f(n) = n * 2
//   semaphore-ping-pong --impl fanout --count 20000                              round trips between two processes through two semaphores
//   pipe-ping-pong --impl fanout --count 20000                                   round trips of an int over a duplex Pipe to a worker and back
//   queue       --impl fanout --count 200000 --size 64                           messages a worker puts and the parent gets
//
// Times are taken inside the process, after a warm-up with the same implementation, so the
// runtime's start-up and JIT are not counted (the Python peers do the same).
if (args is ["hello"])
{
    WorkerStartBenchmarks.Hello();
    return 0;
}

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help")
    {
        Console.Error.WriteLine("usage: Fanout.Benchmarks spawn|capture|start|seed|communicate|worker-start|pool --impl NAME [options]; see Program.cs");
        return args.Length == 0 ? 2 : 0;
    }

    var options = Options.Parse(args.AsSpan(1));
    var result = args[0] switch
    {
        "spawn" => await SpawnBenchmarks.RunAsync(options, capture: false),
        "capture" => await SpawnBenchmarks.RunAsync(options, capture: true),
        "start" => StartBenchmarks.Run(options, seed: false),
        "seed" => StartBenchmarks.Run(options, seed: true),
        "communicate" => await CommunicateBenchmarks.RunAsync(options),
        "worker-start" => WorkerStartBenchmarks.Run(options),
        "pool" => PoolBenchmarks.Run(options),
        "semaphore-ping-pong" => SharingBenchmarks.PingPong(options),
        "pipe-ping-pong" => SharingBenchmarks.PipePingPong(options),
        "queue" => SharingBenchmarks.Queue(options),
        _ => throw new ArgumentException($"Unknown benchmark '{args[0]}'."),
    };
    options.ThrowIfUnused();
    Console.Out.WriteLine(result.ToJson());
    return 0;
}
catch (Exception e) when (e is ArgumentException or FormatException or BenchmarkFailedException)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fanout.Benchmarks: {e.Message}"));
    return 1;
}
