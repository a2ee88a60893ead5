using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint read(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint write(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport(Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int open(string path, int flags, int mode);
}
