using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const short POLLIN = 0x1;
    internal const short POLLOUT = 0x4;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;
    internal const short POLLNVAL = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        internal int Fd;
        internal short Events;
        internal short REvents;
    }

    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
