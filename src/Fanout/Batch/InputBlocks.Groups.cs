using System.Buffers;
using System.Text;

namespace Fanout.Batch;

public sealed partial record InputBlocks
{
    /// <summary>The blocks of <see cref="GroupBy"/>: whole groups of lines, by count or as many as fit in the block size.</summary>
    private IEnumerable<ReadOnlyMemory<byte>> ReadGroups(Stream input, HeaderLine header, LineColumn key)
    {
        var lines = new ByteLines(input);
        ReadOnlyMemory<byte>? unheaded = null;
        if (RepeatHeader && lines.NextLine() is { } first)
        {
            // As with records: a first line the stream ends in, without its newline, is no header but the only data.
            if (first.Span[^1] == '\n')
                header.Bytes = first.ToArray();
            else
                unheaded = first.ToArray();
        }

        var column = key.IndexIn(header.Bytes is { } line ? Encoding.UTF8.GetString(line) : null);
        var groups = Groups(unheaded, lines, key, column);
        return _recordsPerBlock is { } count ? GroupsByCount(groups, count) : GroupsBySize(groups);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> GroupsByCount(IEnumerable<byte[]> groups, int count)
    {
        var block = new ArrayBufferWriter<byte>();
        var held = 0;
        foreach (var group in groups)
        {
            block.Write(group);
            if (++held < count)
                continue;
            yield return block.WrittenMemory.ToArray();
            block.ResetWrittenCount();
            held = 0;
        }

        if (held > 0)
            yield return block.WrittenMemory.ToArray();
    }

    /// <summary>
    /// As many whole groups as fit in the block size; a larger group grows the size from there on,
    /// as records do. GNU parallel marks the start of each group with 20 bytes and cuts the marked
    /// stream before a mark that fits whole in the block, then removes the marks: each group
    /// counts 20 bytes more than its lines, and so does the next group's mark. Fanout counts the
    /// same, so blocks are cut where GNU parallel cuts them.
    /// </summary>
    private IEnumerable<ReadOnlyMemory<byte>> GroupsBySize(IEnumerable<byte[]> groups)
    {
        const int Mark = 20;
        var size = (long)_blockSize;
        var pending = new Queue<byte[]>();
        long pendingBytes = 0;
        using var source = groups.GetEnumerator();
        var ended = false;
        while (true)
        {
            while (!ended && pendingBytes < size)
            {
                if (source.MoveNext())
                {
                    pending.Enqueue(source.Current);
                    pendingBytes += source.Current.Length + Mark;
                }
                else
                {
                    ended = true;
                }
            }

            if (pending.Count == 0)
                yield break;
            // As with records: once the input has ended, what is left goes whole if it is less than a block.
            var take = ended && pendingBytes < size ? pending.Count : Fitting(pending, size, Mark);
            if (take == 0)
            {
                if (size >= Array.MaxLength)
                    throw new FanoutException($"The input holds a group of lines of more than {Array.MaxLength:N0} bytes, more than one block can hold.");
                size = Math.Min(Array.MaxLength, (long)Math.Ceiling((size * 1.3) + 1));
                continue;
            }

            var block = new ArrayBufferWriter<byte>();
            for (var i = 0; i < take; i++)
            {
                var group = pending.Dequeue();
                pendingBytes -= group.Length + Mark;
                block.Write(group);
            }

            yield return block.WrittenMemory.ToArray();
        }
    }

    /// <summary>How many of the first groups fit in <paramref name="size"/> with their marks and the next group's mark.</summary>
    private static int Fitting(IEnumerable<byte[]> groups, long size, int mark)
    {
        var fitting = 0;
        long end = 0;
        foreach (var group in groups)
        {
            end += group.Length + mark;
            if (end + mark > size)
                break;
            fitting++;
        }

        return fitting;
    }

    /// <summary>
    /// Runs of consecutive lines with the same value of the key's column, each line with its newline
    /// (the last may have none): <paramref name="first"/>, when given, then the rest of <paramref name="lines"/>.
    /// </summary>
    private static IEnumerable<byte[]> Groups(ReadOnlyMemory<byte>? first, ByteLines lines, LineColumn key, int column)
    {
        var group = new ArrayBufferWriter<byte>();
        string? value = null;
        while ((first ?? lines.NextLine()) is { } next)
        {
            first = null;
            var lineValue = key.ValueOf(next.Span, column);
            if (value is not null && !string.Equals(value, lineValue, StringComparison.Ordinal))
            {
                yield return group.WrittenMemory.ToArray();
                group.ResetWrittenCount();
            }

            value = lineValue;
            group.Write(next.Span);
        }

        if (group.WrittenCount > 0)
            yield return group.WrittenMemory.ToArray();
    }
}
