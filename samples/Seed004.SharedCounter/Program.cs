// Seed 004's assignment: two processes each count to 50,000,000, then add their count into a
// shared 64-bit integer under a semaphore; the total must be exactly 100,000,000.
// `Seed004.SharedCounter` does it as the seed does; `Seed004.SharedCounter atomic` adds without
// the semaphore, with one atomic add per worker. No numpy needed: the shared value is a long.
using System.Diagnostics;
using Fanout;

var atomic = args is ["atomic"];
var clock = Stopwatch.StartNew();

using var total = SharedValue<long>.Create();
using var semaphore = SharedSemaphore.Create(1);
WorkerProcess[] workers =
[
    atomic ? new(Counter.CountAndAddAtomically, 50_000_000L, total) : new(Counter.CountAndAdd, 50_000_000L, total, semaphore),
    atomic ? new(Counter.CountAndAddAtomically, 50_000_000L, total) : new(Counter.CountAndAdd, 50_000_000L, total, semaphore),
];
foreach (var worker in workers)
    worker.Start();
foreach (var worker in workers)
    worker.Join();

Console.WriteLine($"--- {clock.Elapsed.TotalSeconds} seconds ---");
Console.WriteLine($"total_number={total.Value}");
Console.WriteLine("end of main");

total.Unlink();
semaphore.Unlink();
return workers.All(w => w.ExitCode == 0) && total.Value == 100_000_000 ? 0 : 1;

/// <summary>The workers' code: arguments arrive by value, shared objects by name, attached in the worker.</summary>
internal static class Counter
{
    /// <summary>Counts to <paramref name="number"/>, then adds the count into <paramref name="total"/> while holding <paramref name="semaphore"/>.</summary>
    internal static void CountAndAdd(long number, SharedValue<long> total, SharedSemaphore semaphore)
    {
        var increased = Count(number);
        using (semaphore.Hold())
            total.Ref += increased; // a plain read-modify-write, made safe by the semaphore
    }

    /// <summary>Counts to <paramref name="number"/>, then adds the count into <paramref name="total"/> atomically: no semaphore.</summary>
    internal static void CountAndAddAtomically(long number, SharedValue<long> total) => total.Add(Count(number));

    private static long Count(long number)
    {
        long increased = 0;
        for (long i = 0; i < number; i++)
            increased++;
        return increased;
    }
}
