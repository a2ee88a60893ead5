using System.Buffers.Binary;

namespace Fanout.Ipc;

/// <summary>
/// Length-prefixed frames over a byte stream (a pipe): four bytes of payload length, little-endian,
/// then the payload (UTF-8 JSON for Fanout's messages). A frame is written with one call so a
/// reader never sees half of a header; end of stream between frames is a clean end, inside a frame
/// it means the writer died mid-message.
/// </summary>
internal static class Frames
{
    /// <summary>The largest payload accepted; a longer length means the stream is not Fanout's.</summary>
    internal const int MaxLength = 1 << 30;

    private const int HeaderLength = 4;

    /// <summary>The header and the payload in one buffer, ready for one write.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxLength)
            throw new ArgumentException($"A frame holds at most {MaxLength} bytes; this one has {payload.Length}.", nameof(payload));
        var frame = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>Reads one frame's payload; null at a clean end of stream.</summary>
    /// <exception cref="IOException">The stream ended inside a frame, or the length is impossible.</exception>
    internal static byte[]? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        var got = ReadAtLeast(stream, header);
        if (got == 0)
            return null;
        if (got < HeaderLength)
            throw Truncated(got, HeaderLength);
        var payload = new byte[CheckLength(BinaryPrimitives.ReadInt32LittleEndian(header))];
        got = ReadAtLeast(stream, payload);
        return got == payload.Length ? payload : throw Truncated(got, payload.Length);
    }

    /// <summary>Reads one frame's payload; null at a clean end of stream.</summary>
    /// <exception cref="IOException">The stream ended inside a frame, or the length is impossible.</exception>
    internal static async ValueTask<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        var got = await stream.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < HeaderLength)
            throw Truncated(got, HeaderLength);
        var payload = new byte[CheckLength(BinaryPrimitives.ReadInt32LittleEndian(header))];
        got = await stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return got == payload.Length ? payload : throw Truncated(got, payload.Length);
    }

    private static int ReadAtLeast(Stream stream, Span<byte> buffer) =>
        buffer.IsEmpty ? 0 : stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    private static int CheckLength(int length) => length is >= 0 and <= MaxLength
        ? length
        : throw new IOException($"A frame announced {length} bytes; the other side does not speak Fanout's framing.");

    private static IOException Truncated(int got, int wanted) =>
        new($"The stream ended {got} bytes into a {wanted}-byte frame part: the other process died while writing.");
}
