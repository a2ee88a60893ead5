using System.Reflection;
using System.Runtime.InteropServices;

namespace Fanout.Interop;

/// <summary>
/// Binds <see cref="Libc.Name"/> to the C library by its exact file name. Without it the runtime
/// tries "libc.so" (a linker script), "liblibc.so" and a dozen directories first, and under
/// NativeAOT its search compares names ignoring case, which loads ICU: together 10 to 30 ms of a
/// native worker's start, when the application does not use invariant globalization.
/// </summary>
internal static class LibcResolver
{
    private const string FileName = "libc.so.6";

    private static IntPtr s_handle;

    /// <summary>Installs the resolver for Fanout's own imports; called once, by <see cref="FanoutModule"/>.</summary>
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(LibcResolver).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Libc.Name)
            return IntPtr.Zero;
        if (s_handle == IntPtr.Zero && NativeLibrary.TryLoad(FileName, out var handle))
            s_handle = handle;
        // Zero (a C library by another name, such as musl's) lets the runtime search as usual.
        return s_handle;
    }
}
