using System.Diagnostics;

namespace Fanout.Benchmarks;

/// <summary>
/// Sharing between two processes, against Python's multiprocessing (bench/peers/sharing.py):
/// <c>semaphore-ping-pong</c> — the parent releases "ping" and acquires "pong", a worker does the
/// opposite: round trips per second; <c>pipe-ping-pong</c> — the parent sends an int over a duplex
/// <see cref="Pipe"/>, a worker sends it back: round trips per second; <c>queue</c> — a worker puts N messages of S bytes, the parent
/// gets them all: messages per second. Timed once the worker is up (a first round trip), so its
/// start-up is not counted.
/// </summary>
internal static class SharingBenchmarks
{
    internal static Result PingPong(Options options)
    {
        var count = options.Int("count", 20_000);
        _ = options.Text("impl", "fanout");
        using var ping = SharedSemaphore.Create(0);
        using var pong = SharedSemaphore.Create(0);
        var worker = new WorkerProcess(Bounce, ping, pong, count + 1);
        worker.Start();
        ping.Release();
        pong.Acquire();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            ping.Release();
            pong.Acquire();
        }

        var seconds = clock.Elapsed.TotalSeconds;
        worker.Join();
        ping.Unlink();
        pong.Unlink();
        return new Result("semaphore-ping-pong", "fanout").Add("count", count).Add("round_trips_per_s", Math.Round(count / seconds));
    }

    internal static Result PipePingPong(Options options)
    {
        var count = options.Int("count", 20_000);
        _ = options.Text("impl", "fanout");
        var (parentEnd, childEnd) = Pipe.Create();
        using (parentEnd)
        {
            var worker = new WorkerProcess(Echo, childEnd, count + 1);
            worker.Start();
            childEnd.Dispose();
            parentEnd.Send(-1);
            _ = parentEnd.Receive<int>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                parentEnd.Send(i);
                if (parentEnd.Receive<int>() != i)
                    throw new BenchmarkFailedException($"The pipe's echo of {i} came back wrong.");
            }

            var seconds = clock.Elapsed.TotalSeconds;
            worker.Join();
            return new Result("pipe-ping-pong", "fanout").Add("count", count).Add("round_trips_per_s", Math.Round(count / seconds));
        }
    }

    internal static Result Queue(Options options)
    {
        var count = options.Int("count", 200_000);
        var size = options.Int("size", 64);
        _ = options.Text("impl", "fanout");
        using var queue = SharedQueue.Create();
        using var ready = SharedSemaphore.Create(0);
        var worker = new WorkerProcess(Produce, queue, ready, count, size);
        worker.Start();
        ready.Acquire();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
            _ = queue.Get();
        var seconds = clock.Elapsed.TotalSeconds;
        worker.Join();
        queue.Unlink();
        ready.Unlink();
        return new Result("queue", "fanout").Add("count", count).Add("size", size).Add("messages_per_s", Math.Round(count / seconds));
    }

    private static void Bounce(SharedSemaphore ping, SharedSemaphore pong, int count)
    {
        for (var i = 0; i < count; i++)
        {
            ping.Acquire();
            pong.Release();
        }
    }

    private static void Echo(PipeConnection end, int count)
    {
        for (var i = 0; i < count; i++)
            end.Send(end.Receive<int>());
    }

    private static void Produce(SharedQueue queue, SharedSemaphore ready, int count, int size)
    {
        var message = new byte[size];
        ready.Release();
        for (var i = 0; i < count; i++)
            queue.Put(message);
    }
}
