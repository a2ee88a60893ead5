using System.Text.Json;
using Fanout.Interop;
using Fanout.Ipc;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

public partial class WorkerProcess
{
    /// <summary>How long the replies may still take to arrive after the worker's exit was seen.</summary>
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(2);

    private State _state;
    private ChildProcess? _child;
    private PipeEndStream? _lifeline;
    private Task? _finished;

    private enum State
    {
        Initial,
        Started,
    }

    /// <summary>
    /// Starts the worker process (Python's <c>start()</c>) and returns once it is spawned; the
    /// target runs as soon as the new runtime is up. A worker can be started once.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was already started, or a subclass cannot be sent (see <see cref="WorkerProcess()"/>).</exception>
    /// <exception cref="ProcessStartException">This kind of application cannot host workers (single-file or self-contained under the JIT), or the process could not be spawned; the message says which.</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_state != State.Initial)
                throw new InvalidOperationException($"'{Name}' was already started; a worker process starts once. Create a new WorkerProcess to run it again.");
            _state = State.Started;
        }

        try
        {
            StartCore();
        }
        catch
        {
            lock (_gate)
                _state = State.Initial;
            throw;
        }
    }

    /// <summary>Waits until the worker has exited (Python's <c>join()</c>).</summary>
    /// <exception cref="InvalidOperationException">The worker was not started.</exception>
    public void Join() => Finished().GetAwaiter().GetResult();

    /// <summary>
    /// Waits until the worker has exited or <paramref name="timeout"/> has passed (Python's
    /// <c>join(timeout)</c>); true if it exited. After a timeout the worker is still running.
    /// </summary>
    /// <exception cref="InvalidOperationException">The worker was not started.</exception>
    public bool Join(TimeSpan timeout)
    {
        var finished = Finished();
        if (!finished.Wait(timeout))
            return false;
        finished.GetAwaiter().GetResult();
        return true;
    }

    /// <summary>Waits until the worker has exited. Cancelling stops the wait, not the worker.</summary>
    /// <exception cref="InvalidOperationException">The worker was not started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default) => Finished().WaitAsync(cancellationToken);

    /// <summary>Sends SIGTERM (Python's <c>terminate()</c>); its exit code becomes −15 unless it handles the signal. A finished worker is left alone.</summary>
    /// <exception cref="InvalidOperationException">The worker was not started.</exception>
    public void Terminate() => Signal(Fanout.Signal.Terminate);

    /// <summary>Sends SIGKILL (Python's <c>kill()</c>); its exit code becomes −9. A finished worker is left alone.</summary>
    /// <exception cref="InvalidOperationException">The worker was not started.</exception>
    public void Kill() => Signal(Fanout.Signal.Kill);

    private void Signal(Signal signal)
    {
        var child = _child ?? throw new InvalidOperationException($"'{Name}' was not started; there is no process to signal.");
        if (child.Poll() is not null)
            return;
        WorkerLog.Signalling(FanoutLog.Logger, signal.Name, Name, child.Pid);
        child.SendSignal(signal);
    }

    private Task Finished() => _finished ?? throw new InvalidOperationException($"'{Name}' was not started; only a started worker can be joined.");

    private void StartCore()
    {
        var host = WorkerHost.Spec;
        var target = _target ?? WorkerTarget.ForSubclass(this);
        var call = new WorkerCall
        {
            Name = Name,
            Identity = _identity,
            ParentPid = Environment.ProcessId,
            Daemon = _daemon,
            StderrLogLevel = FanoutLog.StderrLevel,
            Target = target.Reference,
            Arguments = target.RawArguments,
            Instance = target.RawInstance,
            InheritedDescriptors = target.PassedHandles.Count,
        };
        var frame = Frames.Encode(WorkerWire.Write(call));

        var (controlRead, controlWrite) = CreatePipe();
        var (replyRead, replyWrite) = CreatePipe();
        var lifeline = ParentEnd(controlWrite, readable: false);
        var replies = ParentEnd(replyRead, readable: true);
        try
        {
            using (controlRead)
            using (replyWrite)
            {
                _child = host.WithArguments([.. host.Arguments, Name])
                    .WithPassedHandles([controlRead, replyWrite, .. target.PassedHandles])
                    .Start();
            }
        }
        catch
        {
            lifeline.Dispose();
            replies.Dispose();
            throw;
        }

        _lifeline = lifeline;
        RuntimeLeftovers.RemoveIfKilled(_child);
        InstallExitHandler();
        Register(this);
        WorkerLog.Started(FanoutLog.Logger, Name, _child.Pid);
        _finished = MonitorAsync(_child, replies);
        try
        {
            // Frames up to the pipe's size never block; a larger one waits for the child to read.
            lifeline.Write(frame);
        }
        catch (IOException)
        {
            // The worker died before reading its call; its exit status tells why.
        }
    }

    /// <summary>Reads the worker's replies until end of stream, waits for its exit, then lets it go.</summary>
    private async Task MonitorAsync(ChildProcess child, PipeEndStream replies)
    {
        using var stopReading = new CancellationTokenSource();
        var reading = ReadRepliesAsync(replies, stopReading.Token);
        await child.Exited.ConfigureAwait(false);

        // The reply is written before the worker exits, so it is in the pipe by now; only a
        // grandchild that kept the pipe open could delay the end of stream.
        if (await Task.WhenAny(reading, Task.Delay(ReplyGrace)).ConfigureAwait(false) != reading)
            await stopReading.CancelAsync().ConfigureAwait(false);
        await reading.ConfigureAwait(false);

        _lifeline?.Dispose();
        child.Dispose();
        Unregister(this);
        WorkerLog.Ended(FanoutLog.Logger, Name, child.Pid, child.ExitStatus!.Value);
    }

    private async Task ReadRepliesAsync(PipeEndStream replies, CancellationToken cancellationToken)
    {
        await using (replies.ConfigureAwait(false))
        {
            try
            {
                while (await Frames.ReadAsync(replies, cancellationToken).ConfigureAwait(false) is { } frame)
                    _reply = WorkerWire.ReadReply(frame);
            }
            catch (Exception e) when (e is IOException or JsonException or OperationCanceledException)
            {
                // A worker killed in the middle of a reply has no result; its exit status says why.
            }
        }
    }

    internal static unsafe (SafeFileHandle Read, SafeFileHandle Write) CreatePipe()
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            var errno = Errno.Last;
            throw new ProcessStartException("worker", errno is Libc.EMFILE or Libc.ENFILE ? ChildProcess.OutOfDescriptors() : Errno.Exception(errno, "pipe2").Message, errno);
        }

        var read = new SafeFileHandle(fds[0], ownsHandle: true);
        var write = new SafeFileHandle(fds[1], ownsHandle: true);
        return (read, write);
    }

    /// <summary>Our ends are non-blocking: the reactor waits for them, never a thread.</summary>
    internal static PipeEndStream ParentEnd(SafeFileHandle handle, bool readable)
    {
        Libc.fcntl(handle, Libc.F_SETFL, Libc.O_NONBLOCK);
        return new PipeEndStream(handle, readable);
    }
}
