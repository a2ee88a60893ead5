using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    internal const int WNOHANG = 1;
    internal const long SYS_pidfd_open = 434; // the same number on every architecture since 5.3

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RUsage
    {
        internal long UserSeconds;
        internal long UserMicroseconds;
        internal long SystemSeconds;
        internal long SystemMicroseconds;
        internal long MaxRssKilobytes;
        internal long IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVCsw, NIvCsw;
    }

    [LibraryImport(Name, EntryPoint = "wait4", SetLastError = true)]
    internal static unsafe partial int wait4(int pid, int* status, int options, RUsage* usage);

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall(long number, long arg1, long arg2);

    internal static int pidfd_open(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);

    [LibraryImport(Name, EntryPoint = "getpid")]
    internal static partial int getpid();

    [LibraryImport(Name, EntryPoint = "getppid")]
    internal static partial int getppid();

    [LibraryImport(Name, EntryPoint = "getpgid", SetLastError = true)]
    internal static partial int getpgid(int pid);

    internal const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        internal ulong Current;
        internal ulong Maximum;
    }

    [LibraryImport(Name, EntryPoint = "getrlimit", SetLastError = true)]
    internal static unsafe partial int getrlimit(int resource, RLimit* limit);

    [LibraryImport(Name, EntryPoint = "setrlimit", SetLastError = true)]
    internal static unsafe partial int setrlimit(int resource, RLimit* limit);
}
