using System.Diagnostics;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// A child process started from a <see cref="ProcessSpec"/>: its pid, the pipes this process
/// holds to it, and its exit.
/// <para>
/// Reaping: the child's pidfd is watched by the shared <see cref="Reactor"/>; when it becomes
/// readable the child has exited and is reaped with <c>wait4</c> (for the resource usage), only
/// this pid, never <c>waitpid(-1)</c>. <see cref="Poll"/> may reap first; a lock makes sure exactly
/// one of them does. A child is reaped whether or not anyone waits, so none is left a zombie.
/// </para>
/// </summary>
public sealed partial class ChildProcess : IDisposable, IAsyncDisposable
{
    private readonly TaskCompletionSource<ExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _reapLock = new(); // a Monitor, not a Lock: BlockUntilExited waits on it
    private readonly long _startTimestamp;
    private readonly DateTimeOffset _startedUtc;
    private readonly List<Task> _pumps = [];
    private SafeFileHandle? _pidfd;
    private long _pidfdToken;
    private PipeEndStream? _stdin;
    private PipeEndStream? _stdout;
    private PipeEndStream? _stderr;
    private int _disposed;
    private int _watchdogSlot = -1;

    private ChildProcess(ProcessSpec spec, int pid, int processGroup, long startTimestamp)
    {
        Spec = spec;
        Pid = pid;
        ProcessGroupId = processGroup;
        _startTimestamp = startTimestamp;
        _startedUtc = DateTimeOffset.UtcNow;
    }

    /// <summary>The description this child was started from.</summary>
    public ProcessSpec Spec { get; }

    /// <summary>The child's process id.</summary>
    public int Pid { get; }

    /// <summary>The id of the child's process group (its own pid unless it stayed in ours).</summary>
    public int ProcessGroupId { get; }

    /// <summary>When the child was started, in local time.</summary>
    /// <remarks>Converted when read: the local time zone loads ICU, which a start should not pay for.</remarks>
    public DateTimeOffset StartTime => _startedUtc.ToLocalTime();

    /// <summary>The pipe to the child's standard input, when it was started with <see cref="Stdio.Pipe"/>; disposing it closes the child's stdin.</summary>
    public Stream? StandardInput => _stdin;

    /// <summary>The pipe from the child's standard output, when it was started with <see cref="Stdio.Pipe"/>.</summary>
    public Stream? StandardOutput => _stdout;

    /// <summary>The pipe from the child's standard error, when it was started with <see cref="Stdio.Pipe"/>.</summary>
    public Stream? StandardError => _stderr;

    /// <summary>How the child ended; null while it runs (or before its exit was seen).</summary>
    public ExitStatus? ExitStatus => _exited.Task.IsCompletedSuccessfully ? _exited.Task.Result : null;

    /// <summary>What the finished child used; null while it runs.</summary>
    public ResourceUsage? Usage { get; private set; }

    /// <summary>True until the child's exit has been seen.</summary>
    public bool IsRunning => Poll() is null;

    /// <summary>Starts a child process as <paramref name="spec"/> describes.</summary>
    /// <exception cref="ProcessStartException">The program, its working directory or a redirection file cannot be used, or the system is out of resources; the message names which.</exception>
    public static ChildProcess Start(ProcessSpec spec)
    {
        var child = Start(spec, joinGroup: 0);
        child.WatchExit();
        return child;
    }

    /// <summary>
    /// Returns the exit status if the child has exited, null if it is still running
    /// (Python's <c>poll()</c>). Never blocks.
    /// </summary>
    public ExitStatus? Poll()
    {
        if (!_exited.Task.IsCompleted)
            TryReap();
        return _exited.Task.IsCompleted ? _exited.Task.GetAwaiter().GetResult() : null;
    }

    /// <summary>Waits for the child to exit.</summary>
    /// <param name="timeout">How long to wait; null waits as long as it takes.</param>
    /// <exception cref="ProcessTimeoutException">The child was still running after <paramref name="timeout"/>; it is left running.</exception>
    public ExitStatus Wait(TimeSpan? timeout = null)
    {
        if (!BlockUntilExited(timeout))
            throw new ProcessTimeoutException(Spec.ToString(), Pid, timeout!.Value);
        var status = _exited.Task.GetAwaiter().GetResult();
        WaitForPumps();
        return status;
    }

    /// <summary>Waits for the child to exit. Cancelling stops the wait, not the child.</summary>
    public async Task<ExitStatus> WaitAsync(CancellationToken cancellationToken = default)
    {
        var status = await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_pumps.Count > 0)
            await Task.WhenAll(_pumps).WaitAsync(cancellationToken).ConfigureAwait(false);
        return status;
    }

    /// <summary>The exit as a task, for composition with other tasks.</summary>
    public Task<ExitStatus> Exited => _exited.Task;

    /// <summary>Closes the pipes this process holds to the child. A child still running goes on and is still reaped when it exits.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stdin?.Dispose();
        _stdout?.Dispose();
        _stderr?.Dispose();
    }

    /// <inheritdoc cref="Dispose" />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"pid {Pid}: {Spec}";

    /// <summary>Hands the stdout pipe over to a consumer child; this process keeps no copy.</summary>
    internal PipeEndStream TakeStandardOutput(string consumer)
    {
        var stdout = Interlocked.Exchange(ref _stdout, null)
            ?? throw new InvalidOperationException($"The stdout of pid {Pid} ('{Spec}') was already handed to another process or closed; it cannot also feed '{consumer}'.");
        return stdout;
    }

    /// <summary>Starts watching the child's exit. Pipelines call this after every stage has joined the group.</summary>
    internal void WatchExit()
    {
        var fd = Libc.pidfd_open(Pid);
        if (fd < 0)
        {
            // No pidfd (a kernel before 5.3, or the pid is already gone): reap now if it exited,
            // and otherwise fall back to a thread that blocks in wait4 for this one pid.
            if (!TryReap())
                new Thread(() => { while (!TryReap(blocking: true)) { } }) { IsBackground = true, Name = $"Fanout wait {Pid}" }.Start();
            return;
        }

        _pidfd = new SafeFileHandle(fd, ownsHandle: true);
        Volatile.Write(ref _pidfdToken, Reactor.Shared.Register(_pidfd, Libc.EPOLLIN, OnPidfdReadable));
    }

    private void OnPidfdReadable(uint events)
    {
        if (!TryReap() && _pidfd is { IsClosed: false } pidfd)
            Volatile.Write(ref _pidfdToken, Reactor.Shared.Register(pidfd, Libc.EPOLLIN, OnPidfdReadable));
    }

    /// <summary>Reaps the child if it has exited; true once its exit is known.</summary>
    private unsafe bool TryReap(bool blocking = false)
    {
        lock (_reapLock)
        {
            if (_exited.Task.IsCompleted)
                return true;
            int status;
            Libc.RUsage usage;
            int rc;
            do
                rc = Libc.wait4(Pid, &status, blocking ? 0 : Libc.WNOHANG, &usage);
            while (rc < 0 && Errno.Last == Libc.EINTR);
            if (rc == 0)
                return false;
            var wall = Stopwatch.GetElapsedTime(_startTimestamp);
            // Reaped here rather than by the reactor (a waiter or Poll came first): spare the reactor its wake-up.
            if (Volatile.Read(ref _pidfdToken) is var token and not 0)
                Reactor.Shared.Unregister(token);
            _pidfd?.Dispose();
            if (_watchdogSlot >= 0)
                ParentDeathWatchdog.Unregister(_watchdogSlot);
            if (rc < 0)
            {
                var errno = Errno.Last;
                _exited.TrySetException(new FanoutException(
                    $"The exit status of pid {Pid} ('{Spec}') is lost: another part of this process reaped it ({Libc.StrError(errno)}). " +
                    "This happens when SIGCHLD is ignored or something calls waitpid(-1); do not ignore SIGCHLD in a process that uses Fanout."));
                Monitor.PulseAll(_reapLock);
                Interlocked.Exchange(ref _exitObserver, null)?.Invoke();
                return true;
            }

            Usage = new ResourceUsage(
                TimeSpan.FromMicroseconds((usage.UserSeconds * 1_000_000) + usage.UserMicroseconds),
                TimeSpan.FromMicroseconds((usage.SystemSeconds * 1_000_000) + usage.SystemMicroseconds),
                usage.MaxRssKilobytes * 1024,
                wall);
            _exited.TrySetResult(Fanout.ExitStatus.FromWaitStatus(status));
            Monitor.PulseAll(_reapLock);
            Interlocked.Exchange(ref _exitObserver, null)?.Invoke();
            return true;
        }
    }

    /// <summary>
    /// Blocks the calling thread until the exit is known; false on timeout. It sleeps in
    /// <c>poll</c> on the child's pidfd, so the kernel wakes this thread itself when the child
    /// exits (no hop through the reactor thread), then reaps. Without a pidfd it sleeps on the
    /// reap lock, which the reaper pulses, instead of Task.Wait, which spins first and takes CPU
    /// from the children when many threads wait.
    /// </summary>
    internal bool BlockUntilExited(TimeSpan? timeout)
    {
        if (_exited.Task.IsCompleted)
            return true;
        var deadline = timeout is { } t ? Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        if (_pidfd is { } pidfd && PollPidfd(pidfd, deadline) is { } exited)
            return exited;
        lock (_reapLock)
        {
            while (!_exited.Task.IsCompleted)
            {
                if (deadline == long.MaxValue)
                {
                    Monitor.Wait(_reapLock);
                    continue;
                }

                var left = MillisecondsUntil(deadline);
                if (left <= 0)
                    return false;
                Monitor.Wait(_reapLock, left);
            }
        }

        return true;
    }

    /// <summary>Polls the pidfd until the child is reaped (true) or the deadline passes (false); null when polling failed and the caller should wait on the lock.</summary>
    private unsafe bool? PollPidfd(SafeFileHandle pidfd, long deadline)
    {
        var added = false;
        try
        {
            // Held open while polling, even if the reaper disposes it meanwhile.
            pidfd.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return _exited.Task.IsCompleted ? true : null;
        }

        try
        {
            var pfd = new Libc.PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = Libc.POLLIN };
            while (!_exited.Task.IsCompleted)
            {
                var wait = deadline == long.MaxValue ? -1 : MillisecondsUntil(deadline);
                if (wait == 0)
                    return TryReap();
                var ready = Libc.poll(&pfd, 1, wait);
                if (ready > 0)
                    TryReap();
                else if (ready < 0 && Errno.Last != Libc.EINTR)
                    return null;
            }

            return true;
        }
        finally
        {
            if (added)
                pidfd.DangerousRelease();
        }
    }

    private static int MillisecondsUntil(long deadline) =>
        (int)Math.Clamp((deadline - Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000 - 1) * 1000 / Stopwatch.Frequency, 0, int.MaxValue);

    private void WaitForPumps()
    {
        if (_pumps.Count > 0)
            Task.WaitAll([.. _pumps]);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
