using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_CLOEXEC = O_CLOEXEC;
    internal const int SOCK_NONBLOCK = O_NONBLOCK;

    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    internal static unsafe partial int socketpair(int domain, int type, int protocol, int* fds);
}
