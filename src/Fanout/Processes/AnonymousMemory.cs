using System.Buffers;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Memory mapped straight from the kernel rather than the GC heap and faulted in up front, so that
/// it can be given back the moment it is no longer needed: pages freed that way are the next ones
/// the kernel hands out, and already-touched pages are several times cheaper to fault in than
/// pages the machine has not used for a while.
/// </summary>
/// <remarks>
/// Ordinary 4 KiB pages on purpose. Huge pages were tried: they were the fastest right after the
/// process had freed huge pages of its own, but several times slower in every other state measured
/// here (after another program had freed memory, and after the machine had been idle), because a
/// virtual machine's kernel hands free 2 MiB blocks back to its host first.
/// </remarks>
internal sealed unsafe class AnonymousMemory : MemoryManager<byte>
{
    private const long PageSize = 4096;
    private readonly MappingHandle _mapping;
    private readonly int _length;

    private AnonymousMemory(MappingHandle mapping, int length)
    {
        _mapping = mapping;
        _length = length;
    }

    /// <summary>Maps <paramref name="length"/> bytes, a whole number of pages, and faults them in.</summary>
    /// <param name="length">Bytes wanted.</param>
    /// <param name="purpose">What the memory is for, named in the error when the kernel has none.</param>
    /// <exception cref="InsufficientMemoryException">The kernel refused the mapping.</exception>
    internal static AnonymousMemory Allocate(int length, string purpose)
    {
        var address = Libc.mmap(0, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (address == Libc.MAP_FAILED)
            throw new InsufficientMemoryException($"Could not map {length:N0} bytes for {purpose}: {Libc.StrError(Errno.Last)}.");
        var mapping = new MappingHandle(address, length, reportAsPressure: true);
        // Faulted in here, not inside read(): a fault there holds the pipe's lock while the writer waits.
        _ = Libc.madvise(address, (nuint)length, Libc.MADV_POPULATE_WRITE);
        return new AnonymousMemory(mapping, length);
    }

    /// <summary>
    /// Gives the pages under <paramref name="length"/> bytes from <paramref name="offset"/> back to
    /// the kernel at once (they read as zeros afterwards); the range stays mapped.
    /// </summary>
    internal void Release(int offset, int length)
    {
        var start = (offset + PageSize - 1) & ~(PageSize - 1);
        var end = Math.Min((offset + (long)length + PageSize - 1) & ~(PageSize - 1), _length);
        if (end > start)
            _ = Libc.madvise(_mapping.DangerousGetHandle() + (nint)start, (nuint)(end - start), Libc.MADV_DONTNEED);
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => new((void*)_mapping.DangerousGetHandle(), _length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        return new MemoryHandle((byte*)_mapping.DangerousGetHandle() + elementIndex);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _mapping.Dispose();
    }
}
