using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int O_EXCL = 0x80;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int SEEK_END = 2;
    internal const int EEXIST = 17;
    internal const int EPERM = 1;
    internal static readonly nint MAP_FAILED = -1;

    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    internal const int MADV_DONTNEED = 4;
    internal const int MADV_POPULATE_WRITE = 23;

    [LibraryImport(Name, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int madvise(nint address, nuint length, int advice);

    [LibraryImport(Name, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int munmap(nint address, nuint length);

    internal const uint MFD_CLOEXEC = 0x1;

    [LibraryImport(Name, EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport(Name, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int ftruncate(int fd, long length);

    [LibraryImport(Name, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long lseek(int fd, long offset, int whence);

    [LibraryImport(Name, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int unlink(string path);
}
