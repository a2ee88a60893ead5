using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// Makes a pair of connected <see cref="PipeConnection"/>s (Python's <c>multiprocessing.Pipe()</c>):
/// keep one end, pass the other to a <see cref="WorkerProcess"/> as an argument, and send objects
/// or bytes between the two processes.
/// </summary>
/// <example>
/// <code>
/// var (parentEnd, childEnd) = Pipe.Create();
/// var worker = new WorkerProcess(static (PipeConnection end) => end.Send(end.Receive&lt;int&gt;() * 2), childEnd);
/// worker.Start();
/// childEnd.Dispose();            // the worker has its own copy now
/// parentEnd.Send(21);
/// Console.WriteLine(parentEnd.Receive&lt;int&gt;());   // 42
/// </code>
/// </example>
public static class Pipe
{
    /// <summary>
    /// Creates the two ends. With <paramref name="duplex"/> (the default) both ends send and
    /// receive, over a Unix socket pair; otherwise it is a one-way OS pipe: <c>First</c> only
    /// receives and <c>Second</c> only sends, as in Python.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The system refused the descriptors (for one, the process has too many open).</exception>
    public static unsafe (PipeConnection First, PipeConnection Second) Create(bool duplex = true)
    {
        // Close-on-exec: only a worker that is handed an end gets it, at a number it is told.
        // Non-blocking: a blocked call waits in poll or on the reactor, and async calls need no thread.
        var fds = stackalloc int[2];
        if (duplex)
        {
            if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0, fds) != 0)
                throw Errno.Exception("socketpair", "AF_UNIX, SOCK_STREAM");
            return (new PipeConnection(new SafeFileHandle(fds[0], ownsHandle: true), canReceive: true, canSend: true),
                new PipeConnection(new SafeFileHandle(fds[1], ownsHandle: true), canReceive: true, canSend: true));
        }

        if (Libc.pipe2(fds, Libc.O_CLOEXEC | Libc.O_NONBLOCK) != 0)
            throw Errno.Exception("pipe2");
        return (new PipeConnection(new SafeFileHandle(fds[0], ownsHandle: true), canReceive: true, canSend: false),
            new PipeConnection(new SafeFileHandle(fds[1], ownsHandle: true), canReceive: false, canSend: true));
    }
}
