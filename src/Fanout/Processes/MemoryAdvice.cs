using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Faults in large arrays that are about to be filled. Only advice: a kernel without
/// <c>MADV_POPULATE_WRITE</c> (before 5.14) refuses it and the pages fault in one by one as
/// before. The array stays an ordinary managed array.
/// </summary>
internal static unsafe class MemoryAdvice
{
    private const long PageSize = 4096;

    /// <summary>Faults in every whole page of <paramref name="array"/> now, in one call.</summary>
    internal static void Populate(byte[] array)
    {
        if (array.Length < 16 * PageSize)
            return;
        // Pinned while the range is computed and advised; should the array move later, the pages
        // stay with memory the GC reuses, which does no harm.
        fixed (byte* p = array)
        {
            var start = ((long)p + PageSize - 1) & ~(PageSize - 1);
            var end = ((long)p + array.Length) & ~(PageSize - 1);
            if (end > start)
                _ = Libc.madvise((nint)start, (nuint)(end - start), Libc.MADV_POPULATE_WRITE);
        }
    }
}
