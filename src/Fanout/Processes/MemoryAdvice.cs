using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Hints to the kernel about large arrays that are about to be filled. Both are only advice: a
/// kernel without transparent huge pages or without <c>MADV_POPULATE_WRITE</c> (before 5.14)
/// refuses it and nothing changes. The array stays an ordinary managed array.
/// </summary>
internal static unsafe class MemoryAdvice
{
    private const long PageSize = 4096;
    private const long HugePageSize = 2 * 1024 * 1024;

    /// <summary>Asks for 2 MiB pages under the whole huge pages that fit inside <paramref name="array"/>.</summary>
    internal static void BackWithHugePages(byte[] array)
    {
        if (array.Length >= 2 * HugePageSize)
            Advise(array, HugePageSize, Libc.MADV_HUGEPAGE);
    }

    /// <summary>Faults in every page of <paramref name="array"/> now, in one call.</summary>
    internal static void Populate(byte[] array)
    {
        if (array.Length >= 16 * PageSize)
            Advise(array, PageSize, Libc.MADV_POPULATE_WRITE);
    }

    private static void Advise(byte[] array, long alignment, int advice)
    {
        // Pinned while the range is computed and advised; should the array move later, the advice
        // stays on memory the GC reuses, which does no harm.
        fixed (byte* p = array)
        {
            var start = ((long)p + alignment - 1) & ~(alignment - 1);
            var end = ((long)p + array.Length) & ~(alignment - 1);
            if (end > start)
                _ = Libc.madvise((nint)start, (nuint)(end - start), advice);
        }
    }
}
