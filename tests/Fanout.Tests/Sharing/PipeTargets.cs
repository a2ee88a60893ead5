namespace Fanout.Tests;

/// <summary>What the pipe specs run in worker processes; a connection end arrives as an inherited descriptor.</summary>
internal static class PipeTargets
{
    /// <summary>Doubles each item's sequence and reverses each byte message, until told to stop.</summary>
    internal static int Echo(PipeConnection end)
    {
        var items = end.Receive<int>();
        for (var i = 0; i < items; i++)
        {
            var item = end.Receive<QueueItem>();
            end.Send(item with { Sequence = item.Sequence * 2 });
        }

        var bytes = end.ReceiveBytes();
        Array.Reverse(bytes);
        end.SendBytes(bytes);
        return items;
    }

    internal static void SendThenExit(PipeConnection end, int count)
    {
        for (var i = 0; i < count; i++)
            end.Send($"message {i}");
    }

    internal static async Task<long> SumAsync(PipeConnection end)
    {
        long sum = 0;
        while (await end.ReceiveAsync<long>() is var value and >= 0)
            sum += value;
        await end.SendAsync(sum);
        return sum;
    }
}
