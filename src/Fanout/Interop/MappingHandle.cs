using System.Runtime.InteropServices;

namespace Fanout.Interop;

/// <summary>A range mapped into this process (a shared memory segment, or memory of our own): its address, unmapped on release.</summary>
internal sealed class MappingHandle : SafeHandle
{
    private readonly bool _reportedAsPressure;

    /// <param name="address">Where the range starts.</param>
    /// <param name="length">Bytes mapped.</param>
    /// <param name="reportAsPressure">Tell the GC these bytes are held, so that an abandoned mapping of our own memory is finalized as soon as a managed array of its size would be.</param>
    internal MappingHandle(nint address, long length, bool reportAsPressure = false)
        : base(0, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
        _reportedAsPressure = reportAsPressure;
        if (reportAsPressure)
            GC.AddMemoryPressure(length);
    }

    /// <summary>Bytes mapped.</summary>
    internal long Length { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_reportedAsPressure)
            GC.RemoveMemoryPressure(Length);
        return Libc.munmap(handle, (nuint)Length) == 0;
    }
}
