using System.Buffers;
using System.Buffers.Binary;

namespace Fanout.Ipc;

/// <summary>
/// A reusable buffer that holds one or more <see cref="Frames"/> for a single write: a JSON writer
/// writes each payload straight into it, and <see cref="EndFrame"/> fills in the length in front.
/// Several frames in one write cost one system call; reusing the buffer costs no allocation.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>
{
    private const int HeaderLength = 4;

    private byte[] _buffer = new byte[512];
    private int _count;
    private int _frameStart = -1;

    /// <summary>The frames written so far, headers included.</summary>
    internal ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _count);

    /// <summary>The payload of the one frame written, without its length.</summary>
    internal ReadOnlyMemory<byte> OnlyPayload => _buffer.AsMemory(HeaderLength, _count - HeaderLength);

    /// <summary>How many bytes are written so far, headers included: where the next byte goes.</summary>
    internal int Length => _count;

    /// <summary>Overwrites four bytes written earlier at <paramref name="offset"/> (a length known only later).</summary>
    internal void PatchInt32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(offset, 4), value);

    /// <summary>Forgets every frame.</summary>

    internal void Clear()
    {
        _count = 0;
        _frameStart = -1;
    }

    /// <summary>Begins a frame: its payload is what is written until <see cref="EndFrame"/>.</summary>
    internal void StartFrame()
    {
        Ensure(HeaderLength);
        _frameStart = _count;
        _count += HeaderLength;
    }

    /// <summary>Ends the frame begun last, writing its length.</summary>
    /// <exception cref="ArgumentException">The payload is longer than a frame may be.</exception>
    internal void EndFrame()
    {
        var length = _count - _frameStart - HeaderLength;
        if (length > Frames.MaxLength)
            throw new ArgumentException($"A frame holds at most {Frames.MaxLength} bytes; this one has {length}.");
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_frameStart), length);
        _frameStart = -1;
    }

    /// <summary>Drops the frame begun last (its writer failed half-way).</summary>
    internal void AbandonFrame()
    {
        if (_frameStart >= 0)
            _count = _frameStart;
        _frameStart = -1;
    }

    public void Advance(int count) => _count += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_count);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _count < needed)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + needed));
    }
}
