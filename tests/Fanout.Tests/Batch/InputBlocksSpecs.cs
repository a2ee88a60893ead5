using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>How <see cref="InputBlocks"/> cuts a stream into blocks of whole records (<c>--pipe</c>).</summary>
public sealed class InputBlocksSpecs
{
    private static string[] Cut(InputBlocks blocks, string text, int bytesPerRead = int.MaxValue) =>
        [.. blocks.Read(new TrickleStream(Encoding.UTF8.GetBytes(text), bytesPerRead)).Select(b => Encoding.UTF8.GetString(b.Span))];

    [Theory(Timeout = 10_000)]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_block_is_the_most_whole_lines_that_fit_and_a_longer_line_grows_the_blocks(int bytesPerRead)
    {
        await Task.Yield();
        var blocks = new InputBlocks { BlockSize = 6 };

        // What GNU parallel --pipe --block 6 gives: the 9-byte line grows the blocks to 9 bytes (6 × 1.3 + 1, rounded up).
        Assert.Equal(["a\nbb\n", "ccc\n", "dddddddd\n", "e\nf\ngg\nh"], Cut(blocks, "a\nbb\nccc\ndddddddd\ne\nf\ngg\nh", bytesPerRead));
        Assert.Equal(["a\nbb\n", "ccc\n", "dddd\n"], Cut(blocks, "a\nbb\nccc\ndddd\n", bytesPerRead));
        // Records of several lines: at the end, the last complete record still ends a block.
        Assert.Equal(["a\nb\nc\nd\n", "e\nf"], Cut(new InputBlocks { BlockSize = 100, LinesPerRecord = 2 }, "a\nb\nc\nd\ne\nf", bytesPerRead));
        Assert.Equal(["a\nb\n", "c"], Cut(new InputBlocks { BlockSize = 100, LinesPerRecord = 1 }, "a\nb\nc", bytesPerRead));
        Assert.Equal(["a\nb\nc"], Cut(new InputBlocks { BlockSize = 100 }, "a\nb\nc", bytesPerRead));
        Assert.Equal(["\n\na\n", "b\n"], Cut(blocks with { RecordsPerBlock = 2 }, "\n\na\nb\n", bytesPerRead));
        Assert.Equal(["a\nb\nc"], Cut(blocks, "a\nb\nc", bytesPerRead));
        Assert.Empty(Cut(blocks, "", bytesPerRead));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public async Task Records_of_several_lines_and_a_count_per_block_are_kept_whole(int bytesPerRead)
    {
        await Task.Yield();
        var fastq = string.Concat(Enumerable.Range(1, 5).Select(i => $"@r{i}\nACGT\n+\nIIII\n"));

        var bySize = Cut(new InputBlocks { BlockSize = 40, LinesPerRecord = 4 }, fastq, bytesPerRead);
        var byCount = Cut(new InputBlocks { LinesPerRecord = 4, RecordsPerBlock = 2 }, fastq, bytesPerRead);

        Assert.All(bySize, b => Assert.Equal(0, b.Count(c => c == '\n') % 4));
        Assert.Equal(fastq, string.Concat(bySize));
        Assert.Equal(3, bySize.Length);
        Assert.Equal(["@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIIII\n", "@r3\nACGT\n+\nIIII\n@r4\nACGT\n+\nIIII\n", "@r5\nACGT\n+\nIIII\n"], byCount);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_record_end_of_several_bytes_is_found_across_reads(int bytesPerRead)
    {
        await Task.Yield();
        var blocks = new InputBlocks { RecordEnd = "<>"u8.ToArray(), RecordsPerBlock = 1 };

        // GNU parallel's cut: a record end that starts a block does not count, so "<>d" is one record.
        Assert.Equal(["a<>", "b<c<>", "<>d"], Cut(blocks, "a<>b<c<><>d", bytesPerRead));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("\n")]
    [InlineData("")]
    public async Task A_record_start_keeps_multi_line_FASTA_records_whole(string recordEnd)
    {
        await Task.Yield();
        var random = new Random(9);
        var fasta = string.Concat(Enumerable.Range(1, 300).Select(i =>
            $">seq{i} sample\n" + string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => new string("ACGT"[random.Next(4)], random.Next(1, 120)) + "\n"))));
        var blocks = new InputBlocks { RecordStart = ">"u8.ToArray(), RecordEnd = Encoding.UTF8.GetBytes(recordEnd) };

        foreach (var (size, bytesPerRead) in new[] { (1, 7), (300, 1), (1000, 4096), (5000, 100) })
        {
            var cut = Cut(blocks with { BlockSize = size }, fasta, bytesPerRead);
            Assert.Equal(fasta, string.Concat(cut));
            Assert.All(cut, b => Assert.StartsWith(">", b, StringComparison.Ordinal));
            Assert.All(cut, b => Assert.EndsWith("\n", b, StringComparison.Ordinal));
            Assert.True(cut.Length > 1);
        }

        var byCount = Cut(blocks with { RecordsPerBlock = 7 }, fasta, bytesPerRead: 33);
        Assert.Equal(fasta, string.Concat(byCount));
        Assert.All(byCount.SkipLast(1), b => Assert.Equal(7, b.Count(c => c == '>')));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public async Task A_repeated_header_starts_every_block_and_is_not_counted_in_its_size(int bytesPerRead)
    {
        await Task.Yield();
        var blocks = new InputBlocks { RepeatHeader = true, BlockSize = 8 };

        Assert.Equal(["id,v\n1,a\n2,b\n", "id,v\n3,c\n"], Cut(blocks, "id,v\n1,a\n2,b\n3,c\n", bytesPerRead));
        Assert.Equal(["id,v\n1,a\n", "id,v\n2,b\n"], Cut(blocks with { RecordsPerBlock = 1 }, "id,v\n1,a\n2,b\n", bytesPerRead));
        Assert.Empty(Cut(blocks, "id,v\n", bytesPerRead));                    // only a header: no block
        Assert.Equal(["id,v"], Cut(blocks, "id,v", bytesPerRead));             // no newline: no header, the text is a block
        Assert.Equal(["\n1\n"], Cut(blocks with { DropBlankLines = true }, "\n\n1\n", bytesPerRead)); // the header is kept as it is
        // Blank lines go wherever the reads cut them; a blank last line without a newline stays, as in GNU parallel.
        Assert.Equal(["a\n b\nc\n  "], Cut(new InputBlocks { DropBlankLines = true }, "a\n \t \n\n b\n\r\nc\n  ", bytesPerRead));
        Assert.Empty(Cut(new InputBlocks { DropBlankLines = true }, " \n\n\t\n", bytesPerRead));
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_byte_of_a_large_random_stream_comes_through_once_in_order()
    {
        await Task.Yield();
        var random = new Random(7);
        var text = new StringBuilder();
        while (text.Length < 3_000_000)
            text.Append('x', random.Next(0, random.Next(10) == 0 ? 200_000 : 300)).Append('\n');
        var blocks = new InputBlocks { BlockSize = 64 * 1024 };

        var cut = Cut(blocks, text.ToString(), bytesPerRead: 10_000);

        Assert.Equal(text.ToString(), string.Concat(cut));
        Assert.All(cut.SkipLast(1), b => Assert.EndsWith("\n", b, StringComparison.Ordinal));
    }

    [Fact(Timeout = 10_000)]
    public async Task Bad_settings_are_refused()
    {
        await Task.Yield();

        Assert.Throws<ArgumentOutOfRangeException>(() => new InputBlocks { BlockSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputBlocks { LinesPerRecord = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputBlocks { RecordsPerBlock = 0 });
        Assert.Throws<ArgumentException>(() => new InputBlocks { RecordEnd = ReadOnlyMemory<byte>.Empty }.Read(Stream.Null));
    }

    /// <summary>A stream that gives at most a few bytes per read, as a slow pipe does.</summary>
    private sealed class TrickleStream(byte[] data, int bytesPerRead) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));
    }
}
