namespace Fanout.Batch;

/// <summary>
/// Reads a stream without its blank lines: those that end with a newline and hold nothing but
/// white space before it (GNU parallel's <c>-r</c> with <c>--pipe</c>, which removes them before
/// the input is cut into records). A blank last line without a newline stays, as in GNU parallel.
/// </summary>
internal sealed class BlankLineDroppingStream(Stream inner, bool keepFirstLine) : Stream
{
    private readonly byte[] _chunk = new byte[64 * 1024];
    // White space read since the start of the current line, held back until the line proves not blank.
    private readonly List<byte> _pending = [];
    private bool _passingFirstLine = keepFirstLine;
    private bool _atLineStart = true;
    private readonly List<byte> _out = [];
    private int _outStart;
    private bool _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_outStart == _out.Count)
        {
            _out.Clear();
            _outStart = 0;
            if (_ended)
                return 0;
            var n = inner.Read(_chunk);
            if (n == 0)
            {
                _ended = true;
                _out.AddRange(_pending); // the input ended inside a blank line without a newline: it stays
                _pending.Clear();
                continue;
            }

            Filter(_chunk.AsSpan(0, n));
        }

        var count = Math.Min(buffer.Length, _out.Count - _outStart);
        for (var i = 0; i < count; i++)
            buffer[i] = _out[_outStart + i];
        _outStart += count;
        return count;
    }

    /// <summary>Adds <paramref name="input"/> without its blank lines to what is ready to be read.</summary>
    private void Filter(ReadOnlySpan<byte> input)
    {
        foreach (var b in input)
        {
            if (_passingFirstLine)
            {
                _out.Add(b);
                _passingFirstLine = b != (byte)'\n';
                continue;
            }

            if (_atLineStart)
            {
                if (b == (byte)'\n')
                {
                    _pending.Clear(); // a blank line, dropped with its newline
                    continue;
                }

                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\f' or (byte)'\v')
                {
                    _pending.Add(b);
                    continue;
                }

                // Not blank after all: what was held back goes first.
                _out.AddRange(_pending);
                _pending.Clear();
                _atLineStart = false;
            }

            _out.Add(b);
            if (b == (byte)'\n')
                _atLineStart = true;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
