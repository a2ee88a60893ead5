using System.Diagnostics;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Sleeping and waking on a 32-bit word in shared memory (futex(2), the shared variants, so a
/// wake in one process reaches a sleeper in another). Deadlines are <see cref="Stopwatch"/> timestamps;
/// <see cref="long.MaxValue"/> means none.
/// </summary>
internal static unsafe partial class Futex
{
    internal const long NoDeadline = long.MaxValue;

    /// <summary>The deadline for <paramref name="timeout"/> from now; null or infinite (-1 ms) gives none.</summary>
    internal static long Deadline(TimeSpan? timeout)
    {
        if (timeout is not { } span || span == Timeout.InfiniteTimeSpan)
            return NoDeadline;
        ArgumentOutOfRangeException.ThrowIfLessThan(span, TimeSpan.Zero, nameof(timeout));
        return Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
    }

    internal static bool Passed(long deadline) => deadline != NoDeadline && Stopwatch.GetTimestamp() >= deadline;

    /// <summary>
    /// Sleeps while <c>*word == expected</c>, until woken or <paramref name="deadline"/>. Returns
    /// false only when the deadline passed; a wake-up, a changed value or a signal return true, and
    /// the caller looks at the word again.
    /// </summary>
    internal static bool Wait(int* word, int expected, long deadline)
    {
        Libc.Timespec timeout;
        Libc.Timespec* relative = null;
        if (deadline != NoDeadline)
        {
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
                return false;
            var nanoseconds = (long)(remaining * (1_000_000_000.0 / Stopwatch.Frequency));
            timeout = new Libc.Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
            relative = &timeout;
        }

        if (Libc.futex_wait(word, expected, relative) == 0)
            return true;
        var errno = Errno.Last;
        return errno switch
        {
            Libc.EAGAIN or Libc.EINTR => true,
            Libc.ETIMEDOUT => !Passed(deadline),
            _ => throw Errno.Exception(errno, "futex(FUTEX_WAIT)"),
        };
    }

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="word"/>.</summary>
    internal static void Wake(int* word, int count = 1)
    {
        if (Libc.futex_wake(word, count) < 0)
            throw Errno.Exception("futex(FUTEX_WAKE)");
    }

    /// <summary>True while <paramref name="pid"/> runs (a zombie counts as dead: it will never release anything).</summary>
    internal static bool IsProcessAlive(int pid)
    {
        if (pid <= 0)
            return false;
        if (Libc.kill(pid, 0) != 0 && Errno.Last != Libc.EPERM)
            return false;
        return ProcStat.FieldsAfterName(pid) is [var state, ..] && state is not ("Z" or "X");
    }
}
