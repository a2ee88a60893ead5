using System.Runtime.InteropServices;
using Fanout.Interop;

namespace Fanout;

/// <summary>A mapping of a shared memory segment into this process: its address, unmapped on release.</summary>
internal sealed class SharedMemoryHandle : SafeHandle
{
    internal SharedMemoryHandle(nint address, long length)
        : base(0, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    /// <summary>Bytes mapped.</summary>
    internal long Length { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.munmap(handle, (nuint)Length) == 0;
}
