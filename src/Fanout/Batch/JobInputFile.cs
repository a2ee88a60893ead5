using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout.Batch;

/// <summary>
/// The temporary file or named pipe through which a job reads its input when it is not given on
/// stdin (<see cref="InputDelivery.TemporaryFile"/>, <see cref="InputDelivery.NamedPipe"/>): made
/// before the job starts, fed while it runs, and removed, however the job ends, on disposal.
/// </summary>
internal sealed class JobInputFile : IAsyncDisposable
{
    private readonly ReadOnlyMemory<byte> _content;
    private readonly bool _fifo;
    private Task? _feeding;
    private Task? _exited;

    private JobInputFile(string path, ReadOnlyMemory<byte> content, bool fifo) => (Path, _content, _fifo) = (path, content, fifo);

    /// <summary>Where the job finds its input.</summary>
    internal string Path { get; }

    /// <summary>Makes the file (written whole) or the named pipe for <paramref name="job"/>; null when its input goes to stdin.</summary>
    /// <exception cref="IOException">It could not be made or written (a full disk); the message names the path.</exception>
    internal static JobInputFile? Create(JobSpec job, string? directory)
    {
        if (job.InputDelivery == InputDelivery.StandardInput)
            return null;
        var path = System.IO.Path.Combine(directory ?? System.IO.Path.GetTempPath(), $"fanout-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var content = job.StandardInput ?? default;
        if (job.InputDelivery == InputDelivery.NamedPipe)
        {
            if (Libc.mkfifo(path, 0b110_000_000) != 0)
                throw new IOException($"Cannot make the named pipe '{path}' for job {job.Id}: {Libc.StrError(Errno.Last)}.");
            return new JobInputFile(path, content, fifo: true);
        }

        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                BufferSize = 0,
            });
            file.Write(content.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(path);
            throw new IOException($"Cannot write the input of job {job.Id} to '{path}': {e.Message}", e);
        }

        return new JobInputFile(path, content, fifo: false);
    }

    /// <summary>For a named pipe: starts feeding it to <paramref name="child"/>, which has just started.</summary>
    internal void Feed(ChildProcess child)
    {
        if (!_fifo)
            return;
        _exited = child.Exited;
        // Opening a FIFO for writing blocks until the job opens it for reading: a thread of its own waits.
        _feeding = Task.Factory.StartNew(Write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Write()
    {
        var fd = Libc.open(Path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            return;
        using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
        try
        {
            stream.Write(_content.Span);
        }
        catch (IOException)
        {
            // The job closed it before reading everything (head -1): as on stdin, that is not a failure.
        }
    }

    /// <summary>Removes the file; for a named pipe the job never opened, first releases the writer waiting for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_feeding is { IsCompleted: false })
        {
            if (_exited is not null)
                await _exited.ConfigureAwait(false);
            // The job is gone. A writer still waiting to open the pipe is let through by a reader of
            // our own coming and going (the kernel wakes it on the count of readers changing); its
            // writing then fails for want of a reader, as a writer's into a closed pipe does. Again
            // after a moment, in case the writer's thread had not yet reached its open.
            while (!_feeding.IsCompleted)
            {
                var reader = Libc.open(Path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
                if (reader >= 0)
                    _ = Libc.close(reader);
                await Task.WhenAny(_feeding, Task.Delay(50)).ConfigureAwait(false);
            }
        }

        File.Delete(Path);
    }
}
