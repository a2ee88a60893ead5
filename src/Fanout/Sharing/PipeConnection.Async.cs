using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Fanout.Interop;
using Fanout.Ipc;

namespace Fanout;

public sealed partial class PipeConnection
{
    /// <summary>Sends <paramref name="value"/> as one JSON message without blocking a thread while the other end is slow to read.</summary>
    /// <exception cref="NotSupportedException">This is the receiving end of a one-way pipe.</exception>
    /// <exception cref="IOException">The other end was closed (broken pipe).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; if part of the message had gone, the connection is unusable from then on.</exception>
    [RequiresUnreferencedCode("The value is serialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is serialized with System.Text.Json reflection.")]
    public Task SendAsync<T>(T value, CancellationToken cancellationToken = default) =>
        SendBytesAsync(JsonSerializer.SerializeToUtf8Bytes(value, WorkerSerializer.Options), cancellationToken);

    /// <summary>Sends <paramref name="message"/> as one message without blocking a thread while the other end is slow to read.</summary>
    /// <exception cref="NotSupportedException">This is the receiving end of a one-way pipe.</exception>
    /// <exception cref="IOException">The other end was closed (broken pipe).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; if part of the message had gone, the connection is unusable from then on.</exception>
    public async Task SendBytesAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var writer = Writer();
        ReadOnlyMemory<byte> rest = Frames.Encode(message.Span);
        var sent = 0;
        while (!rest.IsEmpty)
        {
            // Most messages fit the socket's buffer: one write and done.
            var written = writer.TryWrite(rest.Span);
            if (written >= 0)
            {
                sent += written;
                rest = rest[written..];
                continue;
            }

            try
            {
                await Reactor.Shared.WaitAsync(writer.Handle, Libc.EPOLLOUT, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (sent > 0)
            {
                Volatile.Write(ref _brokenByCancel, true);
                throw;
            }
        }
    }

    /// <summary>Receives the next message as a <typeparamref name="T"/> without blocking a thread while nothing arrives.</summary>
    /// <exception cref="EndOfStreamException">The other end was closed and every message was received.</exception>
    /// <exception cref="NotSupportedException">This is the sending end of a one-way pipe.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; if part of a message had arrived, the connection is unusable from then on.</exception>
    [RequiresUnreferencedCode("The value is deserialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("The value is deserialized with System.Text.Json reflection.")]
    public async Task<T> ReceiveAsync<T>(CancellationToken cancellationToken = default) =>
        JsonSerializer.Deserialize<T>(await ReceiveBytesAsync(cancellationToken).ConfigureAwait(false), WorkerSerializer.Options)!;

    /// <summary>Receives the next message's bytes without blocking a thread while nothing arrives.</summary>
    /// <exception cref="EndOfStreamException">The other end was closed and every message was received.</exception>
    /// <exception cref="NotSupportedException">This is the sending end of a one-way pipe.</exception>
    /// <exception cref="IOException">The other process died in the middle of a message.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; if part of a message had arrived, the connection is unusable from then on.</exception>
    public async Task<byte[]> ReceiveBytesAsync(CancellationToken cancellationToken = default)
    {
        var reader = Reader();
        // Waiting for the first byte consumes nothing, so a cancel there leaves the connection whole.
        if (_received!.Buffered == 0)
            await Reactor.Shared.WaitAsync(reader.Handle, Libc.EPOLLIN, cancellationToken).ConfigureAwait(false);
        byte[]? frame;
        try
        {
            frame = await Frames.ReadAsync(_received, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Bytes were ready, so part of a message was most likely taken.
            Volatile.Write(ref _brokenByCancel, true);
            throw;
        }

        return frame ?? throw EndOfStream();
    }

    /// <summary>
    /// True when a message (or the end of stream) is ready to receive, waiting up to
    /// <paramref name="timeout"/> (null: as long as it takes) without blocking a thread.
    /// </summary>
    /// <exception cref="NotSupportedException">This is the sending end of a one-way pipe.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task<bool> PollAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var reader = Reader();
        if (Poll())
            return true;
        using var timer = timeout is { } span && span != Timeout.InfiniteTimeSpan ? new CancellationTokenSource(span) : null;
        using var linked = timer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await Reactor.Shared.WaitAsync(reader.Handle, Libc.EPOLLIN, linked?.Token ?? cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timer is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
