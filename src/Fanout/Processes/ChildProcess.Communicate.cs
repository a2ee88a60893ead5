using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Fanout.Interop;

namespace Fanout;

public sealed partial class ChildProcess
{
    private readonly OutputBuffer _stdoutBuffer = new();
    private readonly OutputBuffer _stderrBuffer = new();
    private ReadOnlyMemory<byte> _pendingInput;
    private bool _inputStarted;
    private int _communicating;

    /// <summary>
    /// Sends <paramref name="input"/> to the child's stdin (then closes it), reads stdout and stderr
    /// to their ends at the same time (no deadlock however much each side writes), and waits for the
    /// child to exit (Python's <c>communicate()</c>).
    /// </summary>
    /// <param name="input">Bytes for stdin; stdin must be a pipe when not empty.</param>
    /// <param name="timeout">How long it may take; null waits as long as it takes.</param>
    /// <returns>The output of every stream that is a pipe, and the exit status.</returns>
    /// <exception cref="ProcessTimeoutException">Time ran out. It carries the output read so far; the child is left running, and calling again resumes without losing a byte.</exception>
    public CompletedProcess Communicate(ReadOnlyMemory<byte> input = default, TimeSpan? timeout = null)
    {
        BeginCommunicate(input);
        try
        {
            var deadline = timeout is { } t ? Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
            var self = this;
            if (!PollLoop(new ReadOnlySpan<ChildProcess>(ref self), deadline))
                throw Timeout(timeout!.Value);
            var remaining = deadline == long.MaxValue ? (TimeSpan?)null : RemainingUntil(deadline);
            if (remaining is { } r && !BlockUntilExited(r))
                throw Timeout(timeout!.Value);
            Wait();
            return Completed();
        }
        finally
        {
            EndCommunicate();
        }
    }

    /// <summary><see cref="Communicate(ReadOnlyMemory{byte}, TimeSpan?)"/> with text input, encoded as UTF-8.</summary>
    public CompletedProcess Communicate(string input, TimeSpan? timeout = null) => Communicate(Encoding.UTF8.GetBytes(input), timeout);

    /// <summary>The asynchronous form of <see cref="Communicate(ReadOnlyMemory{byte}, TimeSpan?)"/>; cancelling stops the reading, not the child.</summary>
    /// <exception cref="ProcessTimeoutException">Time ran out; see <see cref="Communicate(ReadOnlyMemory{byte}, TimeSpan?)"/>.</exception>
    public async Task<CompletedProcess> CommunicateAsync(ReadOnlyMemory<byte> input = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        BeginCommunicate(input);
        try
        {
            // Without a timeout the caller's token is the limit as it is, so the common call registers no cancellation at all.
            using var limit = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit?.CancelAfter(timeout!.Value);
            var token = limit?.Token ?? cancellationToken;
            try
            {
                using (var collection = Collection.Start(this, token))
                    await collection.Completion.ConfigureAwait(false);
                await WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (e.CancellationToken != cancellationToken)
            {
                // The linked token fired: report it as the caller's cancellation or as our timeout.
                cancellationToken.ThrowIfCancellationRequested();
                throw Timeout(timeout!.Value);
            }

            return Completed();
        }
        finally
        {
            EndCommunicate();
        }
    }

    /// <summary>
    /// The child's standard output as lines, read as they come (UTF-8; the line ends removed).
    /// Stdout must be a pipe.
    /// </summary>
    public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stdout = _stdout ?? throw new InvalidOperationException($"The stdout of '{Spec}' is not a pipe: start it with WithStdout(Stdio.Pipe) to read its lines.");
        using var reader = new StreamReader(stdout, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            yield return line;
    }

    /// <summary>Claims the communication (one at a time) and takes the input; closes stdin at once when there is none.</summary>
    internal void BeginCommunicate(ReadOnlyMemory<byte> input)
    {
        ThrowIfDisposed();
        if (Interlocked.Exchange(ref _communicating, 1) != 0)
            throw new InvalidOperationException($"Communicate is already running for pid {Pid}.");
        if (_inputStarted)
            return;
        _inputStarted = true;
        if (!input.IsEmpty && _stdin is null)
        {
            Volatile.Write(ref _communicating, 0);
            throw new InvalidOperationException($"Input was given but the stdin of '{Spec}' is not a pipe: start it with WithStdin(Stdio.Pipe).");
        }

        _pendingInput = input;
        if (input.IsEmpty)
            CloseStdin();
    }

    /// <summary>Lets the next <see cref="Communicate(ReadOnlyMemory{byte}, TimeSpan?)"/> begin.</summary>
    internal void EndCommunicate() => Volatile.Write(ref _communicating, 0);

    /// <summary>Copies of the output read so far; the buffers keep it.</summary>
    internal (byte[] Stdout, byte[] Stderr) OutputSoFar() => (_stdoutBuffer.ToArray(), _stderrBuffer.ToArray());

    /// <summary>The result, once the child has exited and its pipes are read to the end; the output moves into it.</summary>
    internal CompletedProcess Completed() => new(Spec, Pid, ExitStatus!.Value, Usage,
        _stdoutBuffer.TakeArray(),
        _stderrBuffer.TakeArray());

    private ProcessTimeoutException Timeout(TimeSpan timeout) =>
        new(Spec.ToString(), Pid, timeout, _stdoutBuffer.ToArray(), _stderrBuffer.ToArray());

    private static TimeSpan RemainingUntil(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));

    private void CloseStdin()
    {
        _stdin?.Dispose();
        _stdin = null;
        _pendingInput = default;
    }

    private static void CloseOutput(ref PipeEndStream? stream)
    {
        stream?.Dispose();
        stream = null;
    }

    /// <summary>
    /// Python's selector loop, over the pipes of one child or several (a pipeline's stages): one
    /// thread polls every pipe still open until all are done (true) or the deadline passes (false).
    /// </summary>
    internal static unsafe bool PollLoop(ReadOnlySpan<ChildProcess> children, long deadline)
    {
        var capacity = children.Length * 3;
        Span<Libc.PollFd> fds = capacity <= 48 ? stackalloc Libc.PollFd[capacity] : new Libc.PollFd[capacity];
        // Which child and stream each entry is: child index * 3 + the stream's descriptor number.
        Span<int> owners = capacity <= 48 ? stackalloc int[capacity] : new int[capacity];
        while (true)
        {
            var count = 0;
            for (var c = 0; c < children.Length; c++)
            {
                var child = children[c];
                ReadOnlySpan<PipeEndStream?> pipes = [child._stdin, child._stdout, child._stderr];
                for (var target = 0; target < 3; target++)
                {
                    if (pipes[target] is not { } pipe)
                        continue;
                    owners[count] = (c * 3) + target;
                    fds[count++] = new Libc.PollFd { Fd = (int)pipe.Handle.DangerousGetHandle(), Events = target == 0 ? Libc.POLLOUT : Libc.POLLIN };
                }
            }

            if (count == 0)
                return true;
            // Checked before every poll, not only when one times out: a child that never stops writing must not outrun the deadline.
            if (deadline != long.MaxValue && Stopwatch.GetTimestamp() >= deadline)
                return false;
            var wait = deadline == long.MaxValue ? -1 : MillisecondsUntil(deadline);
            int ready;
            fixed (Libc.PollFd* polled = fds)
                ready = Libc.poll(polled, (nuint)count, wait);
            if (ready < 0)
            {
                if (Errno.Last == Libc.EINTR)
                    continue;
                throw Errno.Exception("poll", $"the pipes of pid {children[0].Pid}");
            }

            for (var i = 0; i < count; i++)
            {
                if (fds[i].REvents == 0)
                    continue;
                var child = children[owners[i] / 3];
                switch (owners[i] % 3)
                {
                    case 0:
                        child.WriteSomeInput();
                        break;
                    case 1:
                        ReadAvailable(ref child._stdout, child._stdoutBuffer);
                        break;
                    default:
                        ReadAvailable(ref child._stderr, child._stderrBuffer);
                        break;
                }
            }
        }
    }

    private void WriteSomeInput()
    {
        try
        {
            var written = _stdin!.TryWrite(_pendingInput.Span);
            if (written > 0)
                _pendingInput = _pendingInput[written..];
            if (_pendingInput.IsEmpty)
                CloseStdin();
        }
        catch (IOException)
        {
            // The child closed its stdin early; Python ignores BrokenPipeError here too.
            CloseStdin();
        }
    }

    private static void ReadAvailable(ref PipeEndStream? stream, OutputBuffer buffer)
    {
        while (true)
        {
            var n = stream!.TryRead(buffer.GetMemory().Span);
            if (n < 0)
                return;
            if (n == 0)
            {
                CloseOutput(ref stream);
                return;
            }

            buffer.Advance(n);
        }
    }
}
