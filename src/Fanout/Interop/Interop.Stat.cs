using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint STATX_MTIME = 0x40;
    internal const uint STATX_CTIME = 0x80;
    internal const uint STATX_INO = 0x100;
    internal const ushort S_IFMT = 0xF000;
    internal const ushort S_IFREG = 0x8000;

    /// <summary>struct statx: the same layout on every architecture (256 bytes); only the fields Fanout reads.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct Statx
    {
        [FieldOffset(28)]
        internal ushort Mode;

        [FieldOffset(32)]
        internal ulong Inode;

        [FieldOffset(96)]
        internal long CtimeSeconds;

        [FieldOffset(104)]
        internal uint CtimeNanoseconds;

        [FieldOffset(112)]
        internal long MtimeSeconds;

        [FieldOffset(120)]
        internal uint MtimeNanoseconds;

        [FieldOffset(136)]
        internal uint DevMajor;

        [FieldOffset(140)]
        internal uint DevMinor;
    }

    [LibraryImport(Name, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int statx(int dirfd, string path, int flags, uint mask, Statx* buffer);
}
