using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const int ETIMEDOUT = 110;

    // The shared (not FUTEX_PRIVATE_FLAG) operations: the word lives in memory other processes map.
    internal const int FUTEX_WAIT = 0;
    internal const int FUTEX_WAKE = 1;

    /// <summary>SYS_futex: 202 on x86-64, 98 on arm64 (the generic table).</summary>
    internal static long SYS_futex => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 202 : 98;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        internal long Seconds;
        internal long Nanoseconds;
    }

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long futex_syscall(long number, int* address, int operation, int value, Timespec* timeout, int* address2, int value3);

    /// <summary>Sleeps while <c>*address == expected</c>, up to <paramref name="timeout"/> (relative; null = forever). 0, or -1 with errno (EAGAIN, EINTR, ETIMEDOUT).</summary>
    internal static unsafe int futex_wait(int* address, int expected, Timespec* timeout) =>
        (int)futex_syscall(SYS_futex, address, FUTEX_WAIT, expected, timeout, null, 0);

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="address"/>; returns how many woke.</summary>
    internal static unsafe int futex_wake(int* address, int count) =>
        (int)futex_syscall(SYS_futex, address, FUTEX_WAKE, count, null, null, 0);
}
