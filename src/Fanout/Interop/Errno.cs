using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Fanout.Interop;

/// <summary>Turns errno from a failed call into an exception that names the call and its input.</summary>
internal static class Errno
{
    /// <summary>errno of the last call made with SetLastError = true on this thread.</summary>
    internal static int Last => Marshal.GetLastPInvokeError();

    internal static Win32Exception Exception(string call, string? input = null) => Exception(Last, call, input);

    internal static Win32Exception Exception(int errno, string call, string? input = null) =>
        new(errno, input is null
            ? $"{call} failed: {Libc.StrError(errno)} (errno {errno})"
            : $"{call} failed for {input}: {Libc.StrError(errno)} (errno {errno})");
}
