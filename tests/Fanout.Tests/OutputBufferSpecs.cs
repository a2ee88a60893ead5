namespace Fanout.Tests;

public sealed class OutputBufferSpecs
{
    private static void Append(OutputBuffer buffer, ReadOnlySpan<byte> bytes, int pieceSize)
    {
        while (!bytes.IsEmpty)
        {
            var room = buffer.GetMemory().Span;
            var count = Math.Min(Math.Min(room.Length, pieceSize), bytes.Length);
            bytes[..count].CopyTo(room);
            buffer.Advance(count);
            bytes = bytes[count..];
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Bytes_come_back_in_order_across_managed_and_mapped_chunks()
    {
        await Task.Yield();
        // 40 MiB crosses the small managed chunks and several mapped ones (2, 4, 8, 16 MiB and the rest).
        var data = new byte[40 * 1024 * 1024 + 12345];
        new Random(11).NextBytes(data);
        var buffer = new OutputBuffer();

        Append(buffer, data.AsSpan(0, 5_000_000), pieceSize: 65536);
        var partial = buffer.ToArray();
        Append(buffer, data.AsSpan(5_000_000), pieceSize: 1_000_003);
        var whole = buffer.TakeArray();

        Assert.Equal(data.AsSpan(0, 5_000_000).ToArray(), partial);
        Assert.Equal(data, whole);
        Assert.Equal(data.Length, buffer.Length);
    }

    [Fact(Timeout = 30_000)]
    public async Task Taking_again_gives_the_same_bytes_and_the_buffer_can_still_grow()
    {
        await Task.Yield();
        var data = new byte[6 * 1024 * 1024];
        new Random(12).NextBytes(data);
        var buffer = new OutputBuffer();
        Append(buffer, data, pieceSize: 300_000);

        var first = buffer.TakeArray();
        var second = buffer.TakeArray();
        Append(buffer, "tail"u8, pieceSize: 4);
        var third = buffer.ToArray();

        Assert.Equal(data, first);
        Assert.Equal(data, second);
        Assert.Equal([.. data, .. "tail"u8], third);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_empty_buffer_gives_an_empty_array()
    {
        await Task.Yield();
        var buffer = new OutputBuffer();

        Assert.Empty(buffer.TakeArray());
        Assert.Empty(buffer.ToArray());
    }
}
