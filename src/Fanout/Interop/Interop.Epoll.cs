using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const int EPOLL_CLOEXEC = O_CLOEXEC;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x1;
    internal const uint EPOLLOUT = 0x4;
    internal const uint EPOLLERR = 0x8;
    internal const uint EPOLLHUP = 0x10;
    internal const uint EPOLLONESHOT = 1u << 30;

    /// <summary>
    /// struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes),
    /// so events are read from raw memory at an architecture-dependent offset.
    /// </summary>
    internal static readonly int EpollEventSize =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    internal static readonly int EpollDataOffset = EpollEventSize == 12 ? 4 : 8;

    [LibraryImport(Name, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport(Name, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static unsafe partial int epoll_ctl(SafeHandle epfd, int op, int fd, byte* ev);

    [LibraryImport(Name, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static unsafe partial int epoll_wait(SafeHandle epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport(Name, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    internal const int EFD_CLOEXEC = O_CLOEXEC;
    internal const int EFD_NONBLOCK = O_NONBLOCK;
}
