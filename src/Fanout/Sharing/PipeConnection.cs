using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fanout.Interop;
using Fanout.Ipc;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// One end of a <see cref="Pipe"/> (Python's <c>multiprocessing.connection.Connection</c>): sends and
/// receives whole messages — objects as JSON, or bytes — each framed with its length, over an OS
/// socket pair (duplex) or pipe (one way). Pass an end to a <see cref="WorkerProcess"/> as an
/// argument and the worker gets its own copy of the descriptor; close this process's copy when it is
/// not needed here, so the other side sees end of stream once the worker is done.
/// <para>
/// As in Python, one thread at a time may send and one may receive on an end (a send and a receive
/// may run at once); two senders could interleave a large message. The end is non-blocking
/// underneath: a blocked synchronous call waits in <c>poll</c>, an asynchronous one on Fanout's
/// reactor, so no thread is held while nothing arrives. A duplex end keeps a second descriptor for
/// sending, so a send and a receive can wait at the same time.
/// </para>
/// </summary>
[JsonConverter(typeof(PipeConnectionJsonConverter))]
public sealed partial class PipeConnection : IDisposable
{
    private readonly PipeEndStream? _reader;
    private readonly ReadAheadStream? _received;
    private readonly PipeEndStream? _writer;
    private bool _brokenByCancel;

    internal PipeConnection(SafeFileHandle handle, bool canReceive, bool canSend)
    {
        Libc.fcntl(handle, Libc.F_SETFL, Libc.O_NONBLOCK);
        Handle = handle;
        if (canReceive)
        {
            _reader = new PipeEndStream(handle, readable: true, writable: false) { Peer = "the other end of a connection", BrokenPipeMessage = BrokenPipe };
            // A small message's header and payload then come in with one read.
            _received = new ReadAheadStream(_reader);
        }
        if (canSend)
        {
            // The reactor watches a descriptor once at a time, so a duplex end sends through a duplicate.
            var sending = canReceive ? Duplicate(handle) : handle;
            _writer = new PipeEndStream(sending, readable: false, writable: true) { Peer = "the other end of a connection", BrokenPipeMessage = BrokenPipe };
        }
    }

    /// <summary>True when this end receives (Python's <c>readable</c>); false for the sending end of a one-way pipe.</summary>
    public bool CanReceive => _reader is not null;

    /// <summary>True when this end sends (Python's <c>writable</c>); false for the receiving end of a one-way pipe.</summary>
    public bool CanSend => _writer is not null;

    /// <summary>True once this end was closed in this process (Python's <c>closed</c>).</summary>
    public bool IsClosed => Handle.IsClosed;

    /// <summary>The descriptor a worker inherits.</summary>
    internal SafeFileHandle Handle { get; }

    private static string BrokenPipe => "The other end of the connection was closed, so nothing more can be sent (broken pipe).";

    /// <summary>Sends <paramref name="value"/> as one JSON message (Python's <c>send</c>).</summary>
    /// <exception cref="NotSupportedException">This is the receiving end of a one-way pipe.</exception>
    /// <exception cref="IOException">The other end was closed (broken pipe).</exception>
    /// <exception cref="ObjectDisposedException">This end was closed.</exception>
    [RequiresUnreferencedCode("The value is serialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is serialized with System.Text.Json reflection.")]
    public void Send<T>(T value) => SendBytes(JsonSerializer.SerializeToUtf8Bytes(value, WorkerSerializer.Options));

    /// <summary>Sends <paramref name="message"/> as one message; the other end receives exactly these bytes (Python's <c>send_bytes</c>).</summary>
    /// <exception cref="NotSupportedException">This is the receiving end of a one-way pipe.</exception>
    /// <exception cref="ArgumentException">The message is over 1 GiB.</exception>
    /// <exception cref="IOException">The other end was closed (broken pipe).</exception>
    /// <exception cref="ObjectDisposedException">This end was closed.</exception>
    public void SendBytes(ReadOnlySpan<byte> message) => Writer().Write(Frames.Encode(message));

    /// <summary>Receives the next message as a <typeparamref name="T"/> sent by <see cref="Send{T}(T)"/> (Python's <c>recv</c>), waiting as long as it takes.</summary>
    /// <exception cref="EndOfStreamException">The other end was closed and every message was received (Python's EOFError).</exception>
    /// <exception cref="NotSupportedException">This is the sending end of a one-way pipe.</exception>
    /// <exception cref="JsonException">The message is not a <typeparamref name="T"/>.</exception>
    /// <exception cref="ObjectDisposedException">This end was closed.</exception>
    [RequiresUnreferencedCode("The value is deserialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is deserialized with System.Text.Json reflection.")]
    public T Receive<T>() => JsonSerializer.Deserialize<T>(ReceiveBytes(), WorkerSerializer.Options)!;

    /// <summary>Receives the next message's bytes (Python's <c>recv_bytes</c>), waiting as long as it takes.</summary>
    /// <exception cref="EndOfStreamException">The other end was closed and every message was received (Python's EOFError).</exception>
    /// <exception cref="NotSupportedException">This is the sending end of a one-way pipe.</exception>
    /// <exception cref="IOException">The other process died in the middle of a message.</exception>
    /// <exception cref="ObjectDisposedException">This end was closed.</exception>
    public byte[] ReceiveBytes()
    {
        Reader();
        return Frames.Read(_received!) ?? throw EndOfStream();
    }

    /// <summary>
    /// True when a message (or the end of stream) is ready to receive, waiting up to
    /// <paramref name="timeout"/> for one (Python's <c>poll</c>): <see cref="TimeSpan.Zero"/>, the
    /// default, only looks; <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.
    /// </summary>
    /// <exception cref="NotSupportedException">This is the sending end of a one-way pipe.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite).</exception>
    /// <exception cref="ObjectDisposedException">This end was closed.</exception>
    public unsafe bool Poll(TimeSpan timeout = default)
    {
        var reader = Reader();
        var deadline = Futex.Deadline(timeout);
        if (_received!.Buffered > 0)
            return true;
        var added = false;
        reader.Handle.DangerousAddRef(ref added);
        try
        {
            var descriptor = new Libc.PollFd { Fd = (int)reader.Handle.DangerousGetHandle(), Events = Libc.POLLIN };
            while (true)
            {
                var ready = Libc.poll(&descriptor, 1, MillisecondsUntil(deadline));
                if (ready >= 0)
                    return ready > 0;
                if (Errno.Last != Libc.EINTR)
                    throw Errno.Exception("poll", "a connection");
            }
        }
        finally
        {
            reader.Handle.DangerousRelease();
        }
    }

    /// <summary>Closes this end in this process (Python's <c>close</c>); the other side sees end of stream once no process holds this end. Idempotent.</summary>
    public void Close() => Dispose();

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose()
    {
        _received?.Dispose();
        _writer?.Dispose();
        Handle.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"PipeConnection({(CanReceive && CanSend ? "duplex" : CanReceive ? "receiving" : "sending")}{(IsClosed ? ", closed" : "")})";

    private static SafeFileHandle Duplicate(SafeFileHandle handle)
    {
        var fd = Libc.fcntl(handle, Libc.F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            throw Errno.Exception("fcntl(F_DUPFD_CLOEXEC)", "a connection");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static int MillisecondsUntil(long deadline)
    {
        if (deadline == Futex.NoDeadline)
            return -1;
        var remaining = deadline - System.Diagnostics.Stopwatch.GetTimestamp();
        return remaining <= 0 ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(remaining * 1000.0 / System.Diagnostics.Stopwatch.Frequency));
    }

    private static EndOfStreamException EndOfStream() =>
        new("The other end of the connection was closed and every message it sent was received: nothing more will come.");

    private PipeEndStream Reader()
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        CheckNotBroken();
        return _reader ?? throw new NotSupportedException("This is the sending end of a one-way pipe (Pipe.Create(duplex: false)); receive on the other end.");
    }

    private PipeEndStream Writer()
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        CheckNotBroken();
        return _writer ?? throw new NotSupportedException("This is the receiving end of a one-way pipe (Pipe.Create(duplex: false)); send on the other end.");
    }

    private void CheckNotBroken()
    {
        if (Volatile.Read(ref _brokenByCancel))
            throw new IOException("A send or receive on this connection was cancelled in the middle of a message, so the messages no longer line up; close it and make a new pipe.");
    }
}
