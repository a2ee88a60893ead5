using System.Runtime.InteropServices;
using System.Text.Json;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// How an OS descriptor (a <see cref="PipeConnection"/>'s end) reaches a worker process: it is
/// inherited at spawn. While a <see cref="WorkerProcess"/>'s arguments are serialized, a collection
/// is open on this thread; each connection adds its handle and writes the descriptor number the
/// worker will find it at — <see cref="First"/>, <see cref="First"/> + 1, … — and <c>posix_spawn</c>
/// duplicates the handles onto those numbers (as it does the control and reply pipes onto 3 and 4).
/// The worker host adopts them before reading the arguments, and each can be claimed once.
/// <para>
/// Why inheritance rather than <c>SCM_RIGHTS</c> over the control channel: the control channel is
/// a pipe, which cannot carry descriptors, and the spawn already places descriptors at known
/// numbers, so no second channel or handshake is needed. The cost is that a descriptor can be
/// given only when a worker starts, as in Python's spawn start method; a pool's tasks, which go to
/// workers already running, cannot take one.
/// </para>
/// </summary>
internal static class InheritedDescriptors
{
    /// <summary>The first number passed descriptors get in a worker: 3 and 4 are its control and reply pipes.</summary>
    internal const int First = 5;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Claimable = [];

    [ThreadStatic]
    private static List<SafeHandle>? t_collecting;

    /// <summary>In the parent: collects the handles of what is serialized on this thread until the scope is disposed.</summary>
    internal static Collection Collect() => new();

    /// <summary>How many handles the collection open on this thread holds (0 when none is open).</summary>
    internal static int CollectedCount => t_collecting?.Count ?? 0;

    /// <summary>In the parent, while serializing: adds <paramref name="handle"/> to the collection and returns the number the worker will find it at.</summary>
    /// <exception cref="NotSupportedException">No worker is being started on this thread: the value is going somewhere a descriptor cannot follow.</exception>
    internal static int Add(SafeHandle handle, string what)
    {
        var collecting = t_collecting ?? throw new NotSupportedException(
            $"A {what} reaches another process only as an argument of a new WorkerProcess, whose start hands it the descriptor; " +
            "it cannot be sent to a pool's task, through a queue, or over another connection.");
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);
        collecting.Add(handle);
        return First + collecting.Count - 1;
    }

    /// <summary>In the worker, before the arguments are read: takes <paramref name="count"/> descriptors from <see cref="First"/> on, and keeps them from the worker's own children.</summary>
    internal static void Adopt(int count)
    {
        lock (Gate)
        {
            for (var fd = First; fd < First + count; fd++)
            {
                // dup2 cleared close-on-exec; whatever this worker starts must not hold them.
                Libc.fcntl(new SafeFileHandle(fd, ownsHandle: false), Libc.F_SETFD, Libc.FD_CLOEXEC);
                Claimable.Add(fd);
            }
        }
    }

    /// <summary>In the worker, while reading the arguments: the descriptor <paramref name="fd"/>, owned by the caller from now on.</summary>
    /// <exception cref="JsonException">No such descriptor was passed to this process, or it was claimed already.</exception>
    internal static SafeFileHandle Claim(int fd, string what)
    {
        lock (Gate)
        {
            if (!Claimable.Remove(fd))
                throw new JsonException($"A {what} names descriptor {fd}, which was not passed to this process (or was taken already); it can only arrive as a worker's argument.");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The handles collected while it was open; disposing it ends the collection.</summary>
    internal readonly struct Collection : IDisposable
    {
        private readonly List<SafeHandle>? _outer;
        private readonly List<SafeHandle> _handles;

        public Collection()
        {
            _outer = t_collecting;
            _handles = [];
            t_collecting = _handles;
        }

        internal IReadOnlyList<SafeHandle> Handles => _handles;

        public void Dispose() => t_collecting = _outer;
    }
}
