using System.Runtime.InteropServices;

namespace Fanout.Interop;

/// <summary>
/// Linux system calls used by Fanout, declared once each (one native family per file).
/// Every call that can fail sets errno; <see cref="Errno"/> turns it into an exception that names
/// the call and the input that failed.
/// </summary>
internal static partial class Libc
{
    internal const string Name = "libc";

    internal const int EINTR = 4;
    internal const int ECHILD = 10;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int E2BIG = 7;
    internal const int ENOEXEC = 8;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EMFILE = 24;
    internal const int ENFILE = 23;
    internal const int ETXTBSY = 26;
    internal const int EPIPE = 32;
    internal const int ELOOP = 40;
    internal const int ENOSYS = 38;

    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    [LibraryImport(Name, EntryPoint = "strerror")]
    private static partial nint strerror(int errnum);

    /// <summary>The C library's text for an errno value.</summary>
    internal static string StrError(int errno) =>
        Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";
}
