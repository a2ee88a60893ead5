using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// One background thread that sleeps in <c>epoll_wait</c> and wakes whoever waits for a file
/// descriptor: a child's pidfd becoming readable (the child exited) or a pipe end becoming
/// readable or writable.
/// <para>
/// Protocol: a registration is a one-shot (<c>EPOLLONESHOT</c>) interest keyed by a token kept in
/// the event's data. The registrar adds the fd, the reactor thread takes the token out of the
/// table when the event fires, removes the fd from the set and runs the callback; a cancelling
/// registrar that takes the token out first removes the fd itself. Whoever takes the token owns
/// the completion, so it happens exactly once. Callbacks must be short: they only complete tasks
/// (whose continuations run asynchronously) or reap a child.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "One instance lives as long as the process.")]
internal sealed class Reactor
{
    private static readonly Lazy<Reactor> LazyShared = new(() => new Reactor());

    private readonly SafeFileHandle _epoll;
    private readonly ConcurrentDictionary<long, Registration> _registrations = new();
    private long _nextToken;

    private Reactor()
    {
        var fd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (fd < 0)
            throw Errno.Exception("epoll_create1");
        _epoll = new SafeFileHandle(fd, ownsHandle: true);
        new Thread(Loop) { IsBackground = true, Name = "Fanout reactor" }.Start();
    }

    /// <summary>The process-wide reactor, started on first use.</summary>
    internal static Reactor Shared => LazyShared.Value;

    /// <summary>Calls <paramref name="callback"/> on the reactor thread once <paramref name="fd"/> is ready for <paramref name="events"/>.</summary>
    internal long Register(SafeHandle fd, uint events, Action<uint> callback)
    {
        var token = Interlocked.Increment(ref _nextToken);
        var added = false;
        fd.DangerousAddRef(ref added);
        var registration = new Registration(fd, callback);
        _registrations[token] = registration;
        if (Control(Libc.EPOLL_CTL_ADD, fd, events | Libc.EPOLLONESHOT, token) != 0)
        {
            var errno = Errno.Last;
            _registrations.TryRemove(token, out _);
            fd.DangerousRelease();
            throw Errno.Exception(errno, "epoll_ctl(ADD)", $"fd {fd.DangerousGetHandle()}");
        }

        return token;
    }

    /// <summary>Withdraws a registration; false when its callback already ran or is running.</summary>
    internal bool Unregister(long token)
    {
        if (!_registrations.TryRemove(token, out var registration))
            return false;
        Control(Libc.EPOLL_CTL_DEL, registration.Fd, 0, 0);
        registration.Fd.DangerousRelease();
        return true;
    }

    /// <summary>Completes when <paramref name="fd"/> is ready for <paramref name="events"/>, or cancels.</summary>
    internal Task WaitAsync(SafeHandle fd, uint events, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = Register(fd, events, _ => completion.TrySetResult());
        if (cancellationToken.CanBeCanceled)
        {
            var cancellation = cancellationToken.UnsafeRegister(
                _ => { if (Unregister(token)) completion.TrySetCanceled(cancellationToken); }, null);
            completion.Task.ContinueWith(static (_, c) => ((CancellationTokenRegistration)c!).Dispose(), cancellation,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return completion.Task;
    }

    private unsafe int Control(int op, SafeHandle fd, uint events, long token)
    {
        var ev = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(ev, 4), events);
        *(long*)(ev + Libc.EpollDataOffset) = token;
        return Libc.epoll_ctl(_epoll, op, (int)fd.DangerousGetHandle(), ev);
    }

    private unsafe void Loop()
    {
        const int capacity = 256;
        var size = Libc.EpollEventSize;
        var buffer = (byte*)NativeMemory.Alloc((nuint)(capacity * size));
        while (true)
        {
            var count = Libc.epoll_wait(_epoll, buffer, capacity, -1);
            if (count < 0)
            {
                if (Errno.Last == Libc.EINTR)
                    continue;
                Environment.FailFast(Errno.Exception("epoll_wait").Message);
            }

            for (var i = 0; i < count; i++)
            {
                var ev = buffer + (i * size);
                var events = *(uint*)ev;
                var token = *(long*)(ev + Libc.EpollDataOffset);
                if (!_registrations.TryRemove(token, out var registration))
                    continue;
                Control(Libc.EPOLL_CTL_DEL, registration.Fd, 0, 0);
                registration.Fd.DangerousRelease();
                registration.Callback(events);
            }
        }
    }

    private sealed record Registration(SafeHandle Fd, Action<uint> Callback);
}
