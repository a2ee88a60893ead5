namespace Fanout.Tests;

/// <summary>What the sharing specs run in worker processes; shared objects arrive by name and are attached.</summary>
internal static class SharingTargets
{
    internal static long ReadAndWrite(SharedMemory block)
    {
        var values = block.AsSpan<long>();
        values[1] = values[0] + 1;
        return values[0];
    }

    internal static void IncrementUnderSemaphore(SharedValue<long> total, SharedSemaphore semaphore, int times)
    {
        for (var i = 0; i < times; i++)
        {
            semaphore.Acquire();
            total.Ref++; // a plain read-modify-write: only the semaphore keeps it exact
            semaphore.Release();
        }
    }

    internal static void IncrementUnderLock(SharedValue<long> total, SharedLock gate, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using (gate.Hold())
                total.Ref++;
        }
    }

    internal static void IncrementAtomically(SharedArray<long> totals, int times)
    {
        for (var i = 0; i < times; i++)
        {
            totals.Add(0, 1);
            totals.Add(1, 2);
        }
    }

    internal static void HoldUnitForever(SharedSemaphore semaphore, SharedEvent holding)
    {
        semaphore.Acquire();
        holding.Set();
        Thread.Sleep(Timeout.Infinite);
    }

    internal static void HoldLockForever(SharedLock gate, SharedEvent holding)
    {
        gate.Acquire();
        holding.Set();
        Thread.Sleep(Timeout.Infinite);
    }

    internal static void ReleaseAfter(SharedSemaphore semaphore, int milliseconds)
    {
        Thread.Sleep(milliseconds);
        semaphore.Release();
    }

    internal static bool TryLock(SharedReentrantLock gate, int milliseconds)
    {
        if (!gate.Acquire(TimeSpan.FromMilliseconds(milliseconds)))
            return false;
        gate.Release();
        return true;
    }

    internal static bool WaitForEvent(SharedEvent signal, SharedValue<int> waiting, int milliseconds)
    {
        waiting.Add(1);
        return signal.Wait(TimeSpan.FromMilliseconds(milliseconds));
    }

    internal static long ArriveThenRead(SharedBarrier barrier, SharedValue<long> arrivals)
    {
        arrivals.Add(1);
        barrier.Wait(TimeSpan.FromSeconds(15));
        return arrivals.Value;
    }

    internal static string LeaveSegmentBehind()
    {
        var block = SharedMemory.Create(64);
        block.Close();
        return block.Name;
    }

    internal static void MapUntilSet(SharedMemory block, SharedEvent done)
    {
        _ = block.Span[0];
        done.Wait(TimeSpan.FromSeconds(20));
    }
}

/// <summary>Queue workers for the queue specs.</summary>
internal static class QueueTargets
{
    internal static void Produce(SharedQueue queue, int producer, int count)
    {
        for (var i = 0; i < count; i++)
            queue.PutObject(new QueueItem(producer, i));
    }

    internal static List<QueueItem> ConsumeUntilPill(SharedQueue queue)
    {
        var received = new List<QueueItem>();
        while (queue.GetObject<QueueItem>() is { Producer: >= 0 } item)
            received.Add(item);
        return received;
    }

    internal static int ConsumeUntilShutDown(SharedQueue queue)
    {
        var taken = 0;
        try
        {
            while (true)
            {
                queue.Get();
                taken++;
            }
        }
        catch (QueueShutDownException)
        {
            return taken;
        }
    }

    internal static void PutBytes(SharedQueue queue, int count, int size)
    {
        for (var i = 0; i < count; i++)
            queue.Put(new byte[size]);
    }
}

internal sealed record QueueItem(int Producer, int Sequence);

/// <summary>Condition and joinable queue workers.</summary>
internal static class ConditionTargets
{
    internal static bool WaitOnce(SharedCondition condition, SharedValue<int> woken, int milliseconds)
    {
        using (condition.Hold())
        {
            var notified = condition.Wait(TimeSpan.FromMilliseconds(milliseconds));
            woken.Add(1);
            return notified;
        }
    }

    internal static bool WaitForCount(SharedCondition condition, SharedValue<int> count, int target)
    {
        using (condition.Hold())
            return condition.WaitFor(() => count.Value >= target, TimeSpan.FromSeconds(15));
    }

    internal static void NotifyUnderLock(SharedCondition condition)
    {
        using (condition.Hold())
            condition.Notify();
    }

    internal static int ConsumeAndMarkDone(SharedJoinableQueue queue, SharedValue<int> processed)
    {
        var taken = 0;
        while (queue.GetObject<int>() is var item && item >= 0)
        {
            processed.Add(1);
            taken++;
            queue.TaskDone();
        }

        queue.TaskDone(); // the pill too
        return taken;
    }
}
