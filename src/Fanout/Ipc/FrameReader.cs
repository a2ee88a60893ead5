using System.Buffers.Binary;

namespace Fanout.Ipc;

/// <summary>
/// Reads <see cref="Frames"/> from a stream through a buffer: one read takes whatever the pipe
/// holds, so a burst of small frames (a batch of a pool's tasks) costs one system call
/// and one wake-up instead of two reads per frame. One reader per stream; not thread-safe.
/// </summary>
internal sealed class FrameReader(Stream stream)
{
    private const int HeaderLength = 4;

    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next frame if it is already in the buffer.</summary>
    /// <exception cref="IOException">The length is impossible.</exception>
    private bool TryReadBuffered(out byte[] frame)
    {
        if (CompleteLength() is not { } length)
        {
            frame = [];
            return false;
        }

        frame = _buffer.AsSpan(_start + HeaderLength, length).ToArray();
        _start += HeaderLength + length;
        if (_start == _end)
            _start = _end = 0;
        return true;
    }

    /// <summary>Reads one frame's payload, blocking; null at a clean end of stream.</summary>
    /// <exception cref="IOException">The stream ended inside a frame, or the length is impossible.</exception>
    internal byte[]? Read()
    {
        byte[] frame;
        while (!TryReadBuffered(out frame))
        {
            var got = stream.Read(Space());
            if (got == 0)
                return AtEnd();
            _end += got;
        }

        return frame;
    }

    /// <summary>Reads one frame's payload; null at a clean end of stream.</summary>
    /// <exception cref="IOException">The stream ended inside a frame, or the length is impossible.</exception>
    internal async ValueTask<byte[]?> ReadAsync(CancellationToken cancellationToken)
    {
        byte[] frame;
        while (!TryReadBuffered(out frame))
        {
            var got = await stream.ReadAsync(SpaceMemory(), cancellationToken).ConfigureAwait(false);
            if (got == 0)
                return AtEnd();
            _end += got;
        }

        return frame;
    }

    /// <summary>The payload length of the buffered frame at the front, if all of it is buffered.</summary>
    private int? CompleteLength()
    {
        var available = _end - _start;
        if (available < HeaderLength)
            return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (length is < 0 or > Frames.MaxLength)
            throw new IOException($"A frame announced {length} bytes; the other side does not speak Fanout's framing.");
        return available - HeaderLength >= length ? length : null;
    }

    private Span<byte> Space() => SpaceMemory().Span;

    /// <summary>Free room after the buffered bytes, made by moving them to the front or growing for a large frame.</summary>
    private Memory<byte> SpaceMemory()
    {
        var available = _end - _start;
        var needed = available >= HeaderLength ? HeaderLength + BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start)) : HeaderLength;
        if (_start > 0 && (_buffer.Length - _end < needed - available || _buffer.Length - _end < 4096))
        {
            _buffer.AsSpan(_start, available).CopyTo(_buffer);
            _start = 0;
            _end = available;
        }

        if (needed > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        return _buffer.AsMemory(_end);
    }

    private byte[]? AtEnd()
    {
        var available = _end - _start;
        return available == 0
            ? null
            : throw new IOException($"The stream ended {available} bytes into a frame: the other process died while writing.");
    }
}
