using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// This process's end of an OS pipe to a child, as a <see cref="Stream"/>. The descriptor is
/// non-blocking: synchronous calls wait in <c>poll</c>, asynchronous ones on the
/// <see cref="Reactor"/>, so neither ties up a thread-pool thread while the child is quiet.
/// A <see cref="PipeConnection"/> uses it for both ends of a socket pair too: readable and writable.
/// </summary>
internal sealed class PipeEndStream : Stream
{
    private const int DefaultPipeSize = 64 * 1024;
    private const int LargePipeSize = 1024 * 1024;
    private readonly bool _readable;
    private readonly bool _writable;
    private bool _enlarged;

    internal PipeEndStream(SafeFileHandle handle, bool readable)
        : this(handle, readable, writable: !readable)
    {
    }

    internal PipeEndStream(SafeFileHandle handle, bool readable, bool writable)
    {
        Handle = handle;
        _readable = readable;
        _writable = writable;
    }

    /// <summary>Who is at the other end, for error messages.</summary>
    internal string Peer { get; init; } = "a child";

    /// <summary>The message of the <see cref="IOException"/> a write gets once the other end is closed.</summary>
    internal string BrokenPipeMessage { get; init; } = "The child closed its standard input (broken pipe).";

    /// <summary>The descriptor; owned by this stream.</summary>
    internal SafeFileHandle Handle { get; }

    /// <inheritdoc />
    public override bool CanRead => _readable && !Handle.IsClosed;

    /// <inheritdoc />
    public override bool CanWrite => _writable && !Handle.IsClosed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>One non-blocking read: the byte count, 0 at end of stream, or -1 when nothing is ready.</summary>
    internal unsafe int TryRead(Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
                n = Libc.read(Handle, p, buffer.Length);
            if (n >= 0)
            {
                // A full 64 KiB read means the child writes faster than one pipe buffer holds:
                // a larger pipe halves the wake-ups per megabyte (failure only keeps the default).
                if (n == DefaultPipeSize && !_enlarged)
                {
                    _enlarged = true;
                    Libc.fcntl(Handle, Libc.F_SETPIPE_SZ, LargePipeSize);
                }

                return (int)n;
            }

            var errno = Errno.Last;
            if (errno == Libc.EAGAIN)
                return -1;
            if (errno != Libc.EINTR)
                throw new IOException(Errno.Exception(errno, "read", $"a pipe from {Peer}").Message);
        }
    }

    /// <summary>The bytes written so far.</summary>
    internal long BytesWritten { get; private set; }

    /// <summary>One non-blocking write: the byte count, or -1 when the pipe is full.</summary>
    internal unsafe int TryWrite(ReadOnlySpan<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
                n = Libc.write(Handle, p, buffer.Length);
            if (n >= 0)
            {
                BytesWritten += n;
                return (int)n;
            }

            var errno = Errno.Last;
            if (errno == Libc.EAGAIN)
                return -1;
            if (errno == Libc.EPIPE)
                throw new IOException(BrokenPipeMessage);
            if (errno != Libc.EINTR)
                throw new IOException(Errno.Exception(errno, "write", $"a pipe to {Peer}").Message);
        }
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        if (buffer.IsEmpty)
            return 0;
        int n;
        while ((n = TryRead(buffer)) < 0)
            PollOne(Libc.POLLIN);
        return n;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        if (buffer.IsEmpty)
            return 0;
        int n;
        while ((n = TryRead(buffer.Span)) < 0)
            await Reactor.Shared.WaitAsync(Handle, Libc.EPOLLIN, cancellationToken).ConfigureAwait(false);
        return n;
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        while (!buffer.IsEmpty)
        {
            var n = TryWrite(buffer);
            if (n < 0)
                PollOne(Libc.POLLOUT);
            else
                buffer = buffer[n..];
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        while (!buffer.IsEmpty)
        {
            var n = TryWrite(buffer.Span);
            if (n < 0)
                await Reactor.Shared.WaitAsync(Handle, Libc.EPOLLOUT, cancellationToken).ConfigureAwait(false);
            else
                buffer = buffer[n..];
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Handle.Dispose();
        base.Dispose(disposing);
    }

    private unsafe void PollOne(short events)
    {
        var added = false;
        Handle.DangerousAddRef(ref added);
        try
        {
            var pfd = new Libc.PollFd { Fd = (int)Handle.DangerousGetHandle(), Events = events };
            while (Libc.poll(&pfd, 1, -1) < 0 && Errno.Last == Libc.EINTR)
            {
            }
        }
        finally
        {
            Handle.DangerousRelease();
        }
    }
}
