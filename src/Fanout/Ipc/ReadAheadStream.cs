namespace Fanout.Ipc;

/// <summary>
/// Reads from another stream in chunks of up to <see cref="ChunkSize"/> bytes and hands them out
/// in smaller pieces, so a frame's header and a small payload cost one system call, not two. Unlike
/// <see cref="BufferedStream"/> it says how much it holds (<see cref="Buffered"/>), which a poll
/// must look at before asking the OS. Read-only; reads larger than a chunk go straight through.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    internal const int ChunkSize = 64 * 1024;

    private readonly Stream _inner;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private int _start;
    private int _end;

    internal ReadAheadStream(Stream inner)
    {
        _inner = inner;
    }

    /// <summary>Bytes read from the inner stream and not yet handed out.</summary>
    internal int Buffered => _end - _start;

    /// <inheritdoc />
    public override bool CanRead => _inner.CanRead;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (Buffered == 0)
        {
            if (buffer.Length >= ChunkSize)
                return _inner.Read(buffer);
            _start = 0;
            _end = _inner.Read(_chunk);
        }

        return TakeBuffered(buffer);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Buffered == 0)
        {
            if (buffer.Length >= ChunkSize)
                return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _start = 0;
            _end = await _inner.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false);
        }

        return TakeBuffered(buffer.Span);
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }

    private int TakeBuffered(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, Buffered);
        _chunk.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }
}
