using System.Runtime.InteropServices;
using System.Text;

namespace Fanout.Batch;

/// <summary>
/// Cuts a stream into blocks of whole records, for jobs that each read one block on their standard
/// input (GNU parallel's <c>--pipe</c>): a large file or a producer's output is spread over parallel
/// jobs without being split mid-record. Blocks are read as they are asked for, so a stream of any
/// size passes through holding only the block being cut.
/// </summary>
/// <remarks>
/// <para>A record ends with <see cref="RecordEnd"/> (a newline by default); with
/// <see cref="LinesPerRecord"/> of n, a record is n of those (four lines of a FASTQ read). Records
/// are counted from the start of the stream, so a block always begins a record.</para>
/// <para>Without <see cref="RecordsPerBlock"/>, a block is as many whole records as fit in
/// <see cref="BlockSize"/> bytes, as GNU parallel's <c>--block</c> makes them; a record longer than
/// that grows the block size from there on, as GNU parallel does, so that a record is never cut.
/// With it, each block is exactly that many records. The last block takes what is left, even a
/// record without its end. Input is cut exactly where GNU parallel cuts it, down to its quirk that
/// with <see cref="RecordsPerBlock"/> a record end at the very start of a block does not count (an
/// empty line there joins the next record).</para>
/// </remarks>
/// <example>
/// <code>
/// var blocks = new InputBlocks { BlockSize = 10 &lt;&lt; 20, LinesPerRecord = 4 };
/// foreach (var block in blocks.Read(Console.OpenStandardInput()))
///     Console.WriteLine(block.Length);   // at most 10 MiB, whole FASTQ records
/// </code>
/// </example>
public sealed partial record InputBlocks
{
    private readonly int _blockSize = 1024 * 1024;
    private readonly byte[] _recordEnd = [(byte)'\n'];
    private readonly byte[] _recordStart = [];
    private readonly int? _linesPerRecord;
    private readonly int? _recordsPerBlock;

    /// <summary>The most bytes of whole records a block holds (1 MiB by default, as GNU parallel's <c>--block</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not at least 1, or above 1 GiB.</exception>
    public int BlockSize
    {
        get => _blockSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 30);
            _blockSize = value;
        }
    }

    /// <summary>
    /// What ends a record (or a line of one): a newline by default, NUL for <c>-0</c>. May be empty
    /// when <see cref="RecordStart"/> is not: records are then cut just before each start.
    /// </summary>
    public ReadOnlyMemory<byte> RecordEnd
    {
        get => _recordEnd;
        init => _recordEnd = value.ToArray();
    }

    /// <summary>
    /// What begins a record, nothing by default (GNU parallel's <c>--recstart</c>): a cut then falls
    /// only between a <see cref="RecordEnd"/> and a record start right after it, so that
    /// <c>&gt;</c> keeps every multi-line FASTA record whole.
    /// </summary>
    public ReadOnlyMemory<byte> RecordStart
    {
        get => _recordStart;
        init => _recordStart = value.ToArray();
    }

    /// <summary>
    /// How many record ends make one record (GNU parallel's <c>-L</c> with <c>--pipe</c>), or null
    /// (the default) for one. Given, even as 1, it also means what GNU parallel's <c>-L</c> means at
    /// the end of the stream: a last record with fewer lines, or without its end, is a block of its own.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not at least 1.</exception>
    public int? LinesPerRecord
    {
        get => _linesPerRecord;
        init => _linesPerRecord = NullOrPositive(value);
    }

    /// <summary>Exactly this many records per block (GNU parallel's <c>-N</c> with <c>--pipe</c>), or null to fill <see cref="BlockSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not at least 1.</exception>
    public int? RecordsPerBlock
    {
        get => _recordsPerBlock;
        init => _recordsPerBlock = NullOrPositive(value);
    }

    /// <summary>
    /// Take the first line of the stream as a header and put it at the start of every block (GNU
    /// parallel's <c>--header :</c> with <c>--pipe</c>), so each job reads a CSV with its column
    /// names. The header is not counted in <see cref="BlockSize"/>, and a stream that is only a
    /// header gives no block.
    /// </summary>
    public bool RepeatHeader { get; init; }

    /// <summary>
    /// Remove the lines made only of white space before the input is cut (GNU parallel's <c>-r</c>
    /// with <c>--pipe</c>), so that a block holds none and record counts count the lines left.
    /// Lines are cut at newlines whatever <see cref="RecordEnd"/> is, as GNU parallel cuts them.
    /// Blocks by size are then filled with what is left, where GNU parallel fills them with the
    /// bytes it read and removes the blank lines afterwards; its blocks can be emptier.
    /// </summary>
    public bool DropBlankLines { get; init; }

    /// <summary>
    /// Remove the record separators from each block before it is handed out (GNU parallel's
    /// <c>--rrs</c>): every <see cref="RecordEnd"/> followed by <see cref="RecordStart"/> inside
    /// it, then a record start at its beginning and a record end at its end. The block is cut
    /// first, so <see cref="BlockSize"/> and <see cref="RecordsPerBlock"/> count the separators.
    /// </summary>
    public bool RemoveRecordSeparators { get; init; }

    /// <summary>
    /// Make each record a run of consecutive lines with the same value in one column (GNU
    /// parallel's <c>--group-by</c>), so that a block never splits a group: with
    /// <see cref="RecordsPerBlock"/> of 1, each job gets one group of a sorted input. Null (the
    /// default) for records cut at <see cref="RecordEnd"/>, which stays a newline with this.
    /// </summary>
    public LineColumn? GroupBy { get; init; }

    private static int? NullOrPositive(int? value)
    {
        if (value is { } n)
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(value));
        return value;
    }

    /// <summary>The record end as text, for messages.</summary>
    /// <returns>The record end, with a newline or NUL written as an escape.</returns>
    public string DescribeRecordEnd() => Describe(_recordEnd);

    private static string Describe(byte[] text) =>
        Encoding.UTF8.GetString(text).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    // Records are cut inside this, after the record end and before the record start.
    private byte[] Separator => _recordStart.Length == 0 ? _recordEnd : [.. _recordEnd, .. _recordStart];

    /// <summary>
    /// Reads <paramref name="input"/> to its end, one block at a time. Each block is memory of its
    /// own that the caller may keep. Blocks by size are read straight into it, and only the start of
    /// the next record is copied on; blocks by record count are copied out of a reused buffer.
    /// </summary>
    /// <param name="input">The stream to cut; read, not closed.</param>
    /// <returns>The blocks, in order; none for an empty stream.</returns>
    public IEnumerable<ReadOnlyMemory<byte>> Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (GroupBy is not null && (_recordEnd is not [(byte)'\n'] || _recordStart.Length > 0 || _linesPerRecord is not null))
            throw new ArgumentException("Records are runs of lines when they are grouped by a column: RecordEnd, RecordStart and LinesPerRecord do not apply.", nameof(input));
        if (_recordEnd.Length == 0 && _recordStart.Length == 0)
            throw new ArgumentException("A record end or a record start needs at least one byte.", nameof(input));
        return Blocks(input);
    }

    private IEnumerable<ReadOnlyMemory<byte>> Blocks(Stream input)
    {
        // As GNU parallel: blank lines go before the input is cut (so -L counts the lines left), the header line stays.
        if (DropBlankLines)
            input = new BlankLineDroppingStream(input, keepFirstLine: RepeatHeader);
        var header = new HeaderLine();
        foreach (var cut in GroupBy is null ? ReadBlocks(input, header) : ReadGroups(input, header, GroupBy))
        {
            var block = RemoveRecordSeparators ? WithoutSeparators(cut.Span) : cut;
            yield return header.Bytes is { } line ? (byte[])[.. line, .. block.Span] : block;
        }
    }

    private int Lines => _linesPerRecord ?? 1;

    /// <summary>The block without its record separators, as GNU parallel's <c>--rrs</c> removes them.</summary>
    private byte[] WithoutSeparators(ReadOnlySpan<byte> block)
    {
        var separator = Separator;
        var kept = new List<byte>(block.Length);
        while (block.IndexOf(separator) is var at and >= 0)
        {
            kept.AddRange(block[..at]);
            block = block[(at + separator.Length)..];
        }

        kept.AddRange(block);
        var start = _recordStart.Length > 0 && CollectionsMarshal.AsSpan(kept).StartsWith(_recordStart) ? _recordStart.Length : 0;
        var end = kept.Count;
        if (_recordEnd.Length > 0)
        {
            // Perl's $ in GNU parallel's s/recend$// matches before a newline that ends the block
            // too, and that place comes first: the record end goes, the newline stays.
            var rest = CollectionsMarshal.AsSpan(kept)[start..end];
            var beforeNewline = rest.Length - _recordEnd.Length - 1;
            if (beforeNewline >= 0 && rest[^1] == '\n' && rest.Slice(beforeNewline, _recordEnd.Length).SequenceEqual(_recordEnd))
            {
                kept.RemoveRange(start + beforeNewline, _recordEnd.Length);
                end -= _recordEnd.Length;
            }
            else if (rest.EndsWith(_recordEnd))
            {
                end -= _recordEnd.Length;
            }
        }

        return CollectionsMarshal.AsSpan(kept)[start..end].ToArray();
    }

    private IEnumerable<ReadOnlyMemory<byte>> ReadBlocks(Stream input, HeaderLine header)
    {
        var separator = Separator;
        var size = _blockSize;
        var blocks = new Window(input, _recordsPerBlock is null ? Headroom(size) : 64 * 1024);
        if (RepeatHeader)
            header.Bytes = TakeHeader(blocks);
        if (_recordsPerBlock is { } count)
        {
            // Blocks of a record count are copied out of one reused window: they may be tiny.
            while (blocks.FillTo(1))
                yield return blocks.TakeCopy(EndAfterRecords(blocks, count, separator));
            yield break;
        }

        // Blocks by size are read straight into the memory they are handed over in.
        while (blocks.FillTo(size))
        {
            var end = EndOfFullestBlock(blocks, ref size, separator);
            yield return blocks.TakeBuffer(end, Headroom(size));
        }
    }

    /// <summary>The first line, through its newline; null when the stream ends before one, whose text is then the first block's.</summary>
    private static byte[]? TakeHeader(Window window)
    {
        while (true)
        {
            var newline = window.Data.IndexOf((byte)'\n');
            if (newline >= 0)
                return window.TakeCopy(newline + 1).ToArray();
            var before = window.Count;
            if (before >= Array.MaxLength)
                throw new FanoutException($"The header line is longer than {Array.MaxLength:N0} bytes: the input has no newline.");
            window.FillTo(before + 1);
            if (window.Count == before)
                return null;
        }
    }

    /// <summary>Where <see cref="ReadBlocks"/> leaves the header line for the blocks it cut.</summary>
    private sealed class HeaderLine
    {
        internal byte[]? Bytes { get; set; }
    }

    // A block's buffer: room for a full block and one more read, so it seldom needs to grow.
    private static int Headroom(int size) => (int)Math.Min(Array.MaxLength, size + (64L * 1024));

    /// <summary>
    /// The end of the most whole records within <paramref name="size"/> bytes. A record longer than
    /// that grows the size for this block and the ones after (by 30 % and a byte at a time, as GNU
    /// parallel grows its <c>--block</c>), so equal input is cut equally.
    /// </summary>
    private int EndOfFullestBlock(Window window, ref int size, byte[] separator)
    {
        while (true)
        {
            // A short read means the stream has ended: what is left goes whole, as GNU parallel sends
            // it, but with -L, where the last complete record ends the block.
            if (window.Ended && window.Count < size && _linesPerRecord is null)
                return window.Count;
            var end = LastRecordEnd(window.Data[..Math.Min(window.Count, size)], separator);
            if (end > 0)
                return end;
            if (window.Ended && window.Count < size)
                return window.Count;
            if (size == Array.MaxLength)
                throw TooLong();
            size = (int)Math.Min(Array.MaxLength, Math.Ceiling((size * 1.3) + 1));
            window.FillTo(size);
        }
    }

    /// <summary>Where the last whole record in <paramref name="data"/> ends; 0 when none does.</summary>
    private int LastRecordEnd(ReadOnlySpan<byte> data, byte[] separator)
    {
        // A record start at the very beginning is the first record's, not a cut.
        var searched = _recordEnd.Length == 0 ? Math.Min(1, data.Length) : 0;
        if (Lines == 1)
        {
            var last = separator.Length == 1 ? data[searched..].LastIndexOf(separator[0]) : data[searched..].LastIndexOf(separator);
            return last >= 0 ? searched + last + _recordEnd.Length : 0;
        }

        var end = 0;
        var ends = 0;
        var from = searched;
        while (Find(data[from..], separator) is var found && found >= 0)
        {
            from += found + Math.Max(1, _recordEnd.Length);
            if (++ends % Lines == 0)
                end = from - Math.Max(1, _recordEnd.Length) + _recordEnd.Length;
        }

        return end;
    }

    /// <summary>The end of the first <paramref name="count"/> records, reading on as needed; the window's end when the stream ends first.</summary>
    private int EndAfterRecords(Window window, int count, byte[] separator)
    {
        var needed = (long)count * Lines;
        var end = 0;
        // GNU parallel's -N never takes the block's first byte for a record end: an empty line there joins the next record.
        var from = Math.Min(1, window.Count);
        while (needed > 0)
        {
            var found = Find(window.Data[from..], separator);
            if (found >= 0)
            {
                end = from + found + _recordEnd.Length;
                from = from + found + Math.Max(1, _recordEnd.Length);
                needed--;
                continue;
            }

            // Search on from where a separator could begin: one may straddle the old end.
            var resume = Math.Max(from, window.Count - separator.Length + 1);
            var before = window.Count;
            if (before >= Array.MaxLength)
                throw TooLong();
            window.FillTo(before + 1);
            if (window.Count == before)
                return window.Count;
            from = resume;
        }

        return end;
    }

    private static int Find(ReadOnlySpan<byte> data, byte[] separator) =>
        separator.Length == 1 ? data.IndexOf(separator[0]) : data.IndexOf(separator);

    private FanoutException TooLong() => _recordStart.Length == 0
        ? new($"The input holds a record of more than {Array.MaxLength:N0} bytes without a record end ('{DescribeRecordEnd()}'), more than one block can hold. Check the record end (--recend) or split the input first.")
        : new($"The input holds a record of more than {Array.MaxLength:N0} bytes without a record end ('{DescribeRecordEnd()}') followed by a record start ('{Describe(_recordStart)}'), more than one block can hold. Check --recend and --recstart, or split the input first.");

    /// <summary>
    /// The unread part of the stream in a buffer. Blocks by size take the buffer itself and leave
    /// what follows in a new one; blocks by record count are copied out and the buffer reused.
    /// A record longer than the buffer grows it.
    /// </summary>
    private sealed class Window(Stream input, int capacity)
    {
        private byte[] _buffer = GC.AllocateUninitializedArray<byte>(capacity);
        private int _start;
        private int _end;
        private bool _ended;

        internal int Count => _end - _start;

        /// <summary>True once the stream has ended: nothing more will come.</summary>
        internal bool Ended => _ended;

        internal ReadOnlySpan<byte> Data => _buffer.AsSpan(_start, Count);

        /// <summary>Reads until at least <paramref name="count"/> bytes are buffered or the stream ends; false when nothing is left at all.</summary>
        internal bool FillTo(int count)
        {
            while (Count < count && !_ended)
            {
                if (_buffer.Length - _start < count)
                    MakeRoom(count);
                var n = input.Read(_buffer, _end, _buffer.Length - _end);
                if (n == 0)
                    _ended = true;
                _end += n;
            }

            return Count > 0;
        }

        /// <summary>The first <paramref name="length"/> bytes as a new array of their own.</summary>
        internal ReadOnlyMemory<byte> TakeCopy(int length)
        {
            var block = _buffer.AsSpan(_start, length).ToArray();
            _start += length;
            return block;
        }

        /// <summary>The first <paramref name="length"/> bytes, handed over with the buffer; the rest moves to a new buffer of <paramref name="capacity"/>.</summary>
        internal ReadOnlyMemory<byte> TakeBuffer(int length, int capacity)
        {
            var block = _buffer.AsMemory(_start, length);
            var rest = Count - length;
            var next = GC.AllocateUninitializedArray<byte>(_ended ? rest : Math.Max(capacity, rest));
            _buffer.AsSpan(_start + length, rest).CopyTo(next);
            _buffer = next;
            _start = 0;
            _end = rest;
            return block;
        }

        /// <summary>Moves the data to the front, into a larger buffer when it does not fit.</summary>
        private void MakeRoom(int count)
        {
            var target = _buffer;
            if (_buffer.Length < count)
                target = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(count, _buffer.Length * 2L)));
            Data.CopyTo(target);
            _end = Count;
            _start = 0;
            _buffer = target;
        }
    }
}
