using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout.Ipc;

/// <summary>
/// A pool worker's replies in memory it shares with the parent: a ring of frames the worker
/// appends to and the parent takes from, with no system call while both are busy. A reply written
/// to a pipe cost the worker one <c>write</c> per task, most of its time on tiny tasks; batching
/// replies in the worker would lose the finished ones when it dies in the next task, and the
/// parent would blame the wrong task. Memory outlives the process, so after a death the parent
/// still takes every reply the worker finished, and the first task without one is the one that
/// was running.
/// <para>
/// The reply pipe stays. It carries a doorbell (an empty frame) when the parent said it was about
/// to wait (<c>ConsumerWaiting</c>, checked by both sides after a full fence, so a reply is never
/// missed), the replies too large for the ring (announced in the ring by a marker, so the order
/// holds), and the end of stream when the worker is gone.
/// </para>
/// <para>
/// Layout: the total bytes written (worker) and taken (parent), each on its own cache line, the
/// waiting flag, then <see cref="Capacity"/> bytes of entries: a 32-bit length, then the payload
/// (or <see cref="OnThePipe"/> and nothing). The parent has at most
/// <see cref="PipelinePace.MaxDepth"/> replies unread, and an entry is at most
/// <see cref="MaxInline"/> bytes of payload, so the ring never fills. One writer, one reader.
/// </para>
/// </summary>
internal sealed class ReplyRing : IDisposable
{
    /// <summary>Bytes of entries; a power of two.</summary>
    internal const int Capacity = 256 * 1024;

    /// <summary>The largest payload kept in the ring; larger ones go through the pipe.</summary>
    internal const int MaxInline = (Capacity / (PipelinePace.MaxDepth + 1)) - HeaderLength;

    private const int HeaderLength = 4;
    private const int OnThePipe = -1;
    private const int WrittenOffset = 0;
    private const int TakenOffset = 64;
    private const int WaitingOffset = 128;
    private const int DataOffset = 256;
    private const long MappedLength = DataOffset + Capacity;

    private static readonly byte[] Doorbell = Frames.Encode([]);

    private readonly SafeHandle _mapping;
    private readonly nint _base;
    private readonly Queue<byte[]> _pipeFrames = new(); // parent: large replies read ahead of their marker

    private ReplyRing(SafeHandle mapping)
    {
        _mapping = mapping;
        _base = mapping.DangerousGetHandle();
    }

    private unsafe ref long Written => ref *(long*)(_base + WrittenOffset);

    private unsafe ref long Taken => ref *(long*)(_base + TakenOffset);

    private unsafe ref int ConsumerWaiting => ref *(int*)(_base + WaitingOffset);

    /// <summary>True when the parent can take a reply without waiting.</summary>
    internal bool HasReply => Volatile.Read(ref Written) != Taken;

    /// <summary>Creates a ring in a new memory file; the file's descriptor is for the worker.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The memory could not be created or mapped.</exception>
    internal static (ReplyRing Ring, SafeFileHandle File) Create()
    {
        var fd = Libc.memfd_create("fanout-replies", Libc.MFD_CLOEXEC);
        if (fd < 0)
            throw Errno.Exception("memfd_create", "a pool worker's reply ring");
        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Libc.ftruncate(fd, MappedLength) != 0)
                throw Errno.Exception("ftruncate", "a pool worker's reply ring");
            return (Attach(file), file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Maps the ring in <paramref name="file"/> (the descriptor may be closed afterwards).</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">It could not be mapped.</exception>
    internal static ReplyRing Attach(SafeFileHandle file)
    {
        var address = Libc.mmap(0, (nuint)MappedLength, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, (int)file.DangerousGetHandle(), 0);
        if (address == Libc.MAP_FAILED)
            throw Errno.Exception("mmap", "a pool worker's reply ring");
        return new ReplyRing(new MappingHandle(address, MappedLength));
    }

    /// <summary>
    /// Worker: appends a reply — into the ring, or a marker there and the frame on
    /// <paramref name="pipe"/> when it is too large — and rings the doorbell if the parent waits.
    /// </summary>
    internal void Send(ReadOnlySpan<byte> payload, Stream pipe)
    {
        var inline = payload.Length <= MaxInline;
        var needed = HeaderLength + (inline ? payload.Length : 0);
        var written = Written;
        // Never expected (see the class): the parent takes a reply for every task it sent.
        while (Capacity - (written - Volatile.Read(ref Taken)) < needed)
            Thread.Sleep(1);
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteInt32LittleEndian(header, inline ? payload.Length : OnThePipe);
        CopyIn(written, header);
        if (inline)
            CopyIn(written + HeaderLength, payload);
        Volatile.Write(ref Written, written + needed);
        if (!inline)
            pipe.Write(Frames.Encode(payload));
        // A full fence after publishing: either the parent sees the entry, or this sees it waiting.
        if (Interlocked.Exchange(ref ConsumerWaiting, 0) == 1)
            pipe.Write(Doorbell);
    }

    /// <summary>
    /// Parent: the next reply; null when the worker is gone and left no more. Waits on
    /// <paramref name="pipe"/> (doorbells, large replies, the end) only when the ring is empty.
    /// </summary>
    /// <exception cref="IOException">The pipe broke or carries something that is not Fanout's framing.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    internal async ValueTask<byte[]?> ReceiveAsync(FrameReader pipe, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(out var reply, out var onThePipe))
            {
                if (!onThePipe)
                    return reply;
                return await NextPipeFrameAsync(pipe, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref ConsumerWaiting, 1);
            if (HasReply)
            {
                Volatile.Write(ref ConsumerWaiting, 0);
                continue;
            }

            var frame = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null)
                return TakeLast();
            if (frame.Length > 0)
                _pipeFrames.Enqueue(frame);
        }
    }

    /// <summary>At the pipe's end: a reply the worker finished before it went, if any is left.</summary>
    private byte[]? TakeLast()
    {
        if (!TryTake(out var reply, out var onThePipe))
            return null;
        return onThePipe ? (_pipeFrames.TryDequeue(out var frame) ? frame : null) : reply;
    }

    private async ValueTask<byte[]?> NextPipeFrameAsync(FrameReader pipe, CancellationToken cancellationToken)
    {
        while (_pipeFrames.Count == 0)
        {
            var read = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (read is null)
                return null; // The worker died between the marker and the frame.
            if (read.Length > 0)
                _pipeFrames.Enqueue(read);
        }

        return _pipeFrames.Dequeue();
    }

    /// <summary>Takes the next entry, if the worker has published one.</summary>
    /// <exception cref="IOException">The entry is damaged.</exception>
    private bool TryTake(out byte[] reply, out bool onThePipe)
    {
        var taken = Taken;
        var written = Volatile.Read(ref Written);
        if (written == taken)
        {
            reply = [];
            onThePipe = false;
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        CopyOut(taken, header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        onThePipe = length == OnThePipe;
        if (onThePipe)
            length = 0;
        if (length < 0 || length > MaxInline || HeaderLength + length > written - taken)
            throw new IOException($"A pool worker's reply ring holds an entry of {length} bytes; the worker runs another build of Fanout or wrote over it.");
        reply = length == 0 ? [] : new byte[length];
        CopyOut(taken + HeaderLength, reply);
        Volatile.Write(ref Taken, taken + HeaderLength + length);
        return true;
    }

    private unsafe void CopyIn(long position, ReadOnlySpan<byte> bytes)
    {
        var data = new Span<byte>((byte*)_base + DataOffset, Capacity);
        var offset = (int)(position & (Capacity - 1));
        var first = Math.Min(bytes.Length, Capacity - offset);
        bytes[..first].CopyTo(data[offset..]);
        bytes[first..].CopyTo(data);
    }

    private unsafe void CopyOut(long position, Span<byte> bytes)
    {
        var data = new ReadOnlySpan<byte>((byte*)_base + DataOffset, Capacity);
        var offset = (int)(position & (Capacity - 1));
        var first = Math.Min(bytes.Length, Capacity - offset);
        data.Slice(offset, first).CopyTo(bytes);
        data[..(bytes.Length - first)].CopyTo(bytes[first..]);
    }

    /// <inheritdoc />
    public void Dispose() => _mapping.Dispose();
}
