using Microsoft.Win32.SafeHandles;

namespace Fanout.Batch;

/// <summary>
/// The OS pipe a job's <see cref="JobSpec.StandardInputWriter"/> writes into: the child gets the
/// read end as its stdin, and this process writes into the other end for as long as the writer
/// runs, then closes it so the child sees the end of its input.
/// </summary>
internal sealed class StreamedInput : IDisposable
{
    private readonly SafeFileHandle _writeEnd;
    private PipeEndStream? _stdin;
    private CancellationTokenSource? _writerStop;
    private Task _writing = Task.CompletedTask;

    internal StreamedInput() => (ChildEnd, _writeEnd) = WorkerProcess.CreatePipe();

    /// <summary>The read end, for the child's stdin.</summary>
    internal SafeFileHandle ChildEnd { get; }

    /// <summary>The bytes the writer has written so far.</summary>
    internal long BytesWritten => _stdin?.BytesWritten ?? 0;

    /// <summary>The child has its copy of the read end: ours goes, so that the writer sees a broken pipe once the child exits.</summary>
    internal void Started() => ChildEnd.Dispose();

    /// <summary>
    /// Starts <paramref name="writer"/> on the write end, which is closed when it ends. A child that
    /// stops reading (it exited, or <paramref name="stop"/> stopped it) just ends the writing.
    /// </summary>
    internal void StartWriting(Func<Stream, CancellationToken, Task> writer, CancellationToken stop)
    {
        _writerStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _writing = WriteAsync(writer, _writerStop.Token);
    }

    /// <summary>
    /// Stops the writer, whose child has exited, and waits for it to end: a writer waiting for more
    /// input to come would otherwise keep a finished job from being reported.
    /// </summary>
    internal async Task FinishAsync()
    {
        if (_writerStop is not null)
            await _writerStop.CancelAsync().ConfigureAwait(false);
        await _writing.ConfigureAwait(false);
    }

    private async Task WriteAsync(Func<Stream, CancellationToken, Task> writer, CancellationToken stop)
    {
        var stdin = _stdin = WorkerProcess.ParentEnd(_writeEnd, readable: false);
        await using (stdin.ConfigureAwait(false))
        {
            try
            {
                await writer(stdin, stop).ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// For a job that will not run after all (it could not start): its writer is called with its
    /// input already stopped, so that whoever feeds it knows to feed it no more.
    /// </summary>
    internal static async Task AbandonAsync(Func<Stream, CancellationToken, Task> writer)
    {
        try
        {
            await writer(Stream.Null, new CancellationToken(canceled: true)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ChildEnd.Dispose();
        _writeEnd.Dispose();
        _writerStop?.Dispose();
    }
}
