using System.Diagnostics;

namespace Fanout.Benchmarks;

/// <summary>Runs an operation <c>count</c> times with <c>parallel</c> of them in flight.</summary>
internal static class Workers
{
    /// <summary>
    /// After a warm-up: gives the runtime's background tier-1 JIT (which waits for 100 ms without
    /// new tier-0 code) time to replace the warm-up's code, so it does not compete with the
    /// measurement for one of the machine's few cores.
    /// </summary>
    internal static void Settle() => Thread.Sleep(400);

    /// <summary>
    /// Runs <paramref name="round"/> and <see cref="Settle"/>s until a round compiles no new method
    /// (at most five rounds). With profile-guided optimization a hot method is compiled twice after
    /// its precompiled code (first instrumented, then final), each step after more calls and a pause,
    /// so one round leaves the final compilation to the measurement.
    /// </summary>
    internal static void WarmUp(Action round)
    {
        for (var i = 0; i < 5; i++)
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            round();
            Settle();
            if (i > 0 && System.Runtime.JitInfo.GetCompiledMethodCount() == compiled)
                return;
        }
    }

    /// <summary><paramref name="parallel"/> threads, each doing the blocking operation until the count is used up; returns the seconds taken.</summary>
    internal static double OnThreads(int count, int parallel, Action operation)
    {
        var next = 0;
        Exception? failure = null;
        var threads = new Thread[parallel];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < parallel; i++)
        {
            threads[i] = new Thread(() =>
            {
                try
                {
                    while (Interlocked.Increment(ref next) <= count && Volatile.Read(ref failure) is null)
                        operation();
                }
#pragma warning disable CA1031 // rethrown on the calling thread
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            })
            { IsBackground = true, Name = $"bench worker {i}" };
            threads[i].Start();
        }

        foreach (var thread in threads)
            thread.Join();
        var seconds = clock.Elapsed.TotalSeconds;
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return seconds;
    }

    /// <summary><paramref name="parallel"/> asynchronous loops, each awaiting the operation until the count is used up; returns the seconds taken.</summary>
    internal static async Task<double> OnTasks(int count, int parallel, Func<Task> operation)
    {
        var next = 0;
        var clock = Stopwatch.StartNew();
        var loops = new Task[parallel];
        for (var i = 0; i < parallel; i++)
        {
            loops[i] = Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) <= count)
                    await operation();
            });
        }

        await Task.WhenAll(loops);
        return clock.Elapsed.TotalSeconds;
    }
}
