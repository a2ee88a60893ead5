// Seed 001, "multiprocessing.Pool": map, apply and apply_async on a pool of worker processes.
// `Seed001.Pool [seconds]` scales the one-second tasks (the tests run it faster).
using System.Diagnostics;
using System.Globalization;
using Fanout;

var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;

// with Pool(4) as p: print(p.map(task, [2, 3, 4]))
using (var pool = new Pool(4))
{
    var results = pool.Map(Tasks.Print, [2, 3, 4]);
    Console.WriteLine($"[{string.Join(", ", results.Select(r => r?.ToString() ?? "null"))}]");
}

using (var pool = new Pool(4))
{
    // apply blocks until each result: the four tasks run one after another.
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < 4; i++)
        Console.WriteLine($"apply: task {i} ran in pid {pool.Apply(Tasks.Sleep, seconds)}");
    Console.WriteLine($"apply: 4 tasks in {clock.Elapsed.TotalSeconds:0.00} s");

    // apply_async returns at once: the four tasks run at the same time, in four processes.
    clock.Restart();
    var pending = Enumerable.Range(0, 4).Select(_ => pool.ApplyAsync(Tasks.Sleep, seconds)).ToList();
    var pids = pending.Select(result => result.Get()).ToList();
    for (var i = 0; i < 4; i++)
        Console.WriteLine($"apply_async: task {i} ran in pid {pids[i]}");
    Console.WriteLine($"apply_async: 4 tasks in {clock.Elapsed.TotalSeconds:0.00} s on {pids.Distinct().Count()} processes");
}

/// <summary>The tasks the workers run.</summary>
internal static class Tasks
{
    /// <summary>Prints its argument and returns nothing, like the seed's <c>task</c>.</summary>
    /// <remarks>One string, so one write: <c>Console.WriteLine(int)</c> writes the number and the newline apart, and another worker's line can land between them.</remarks>
    internal static void Print(int n) => Console.WriteLine($"{n}");

    /// <summary>Sleeps, then reports which worker process ran it.</summary>
    internal static int Sleep(double seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return CurrentProcess.Pid;
    }
}
