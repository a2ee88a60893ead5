using System.Runtime.CompilerServices;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Workers of an application compiled ahead of time (NativeAOT). Such an application has no
/// runtime that could load Fanout.dll, so its worker is the application's own executable, started
/// again with <see cref="Marker"/> as its first argument — the way Python's spawn re-runs the
/// main module. NativeAOT runs every module initializer before <c>Main</c>, so Fanout's
/// (<see cref="FanoutModule"/>) takes over in the worker, runs the target and exits: no line in the user's <c>Main</c>
/// is needed, and none of it runs in the worker.
/// </summary>
internal static partial class WorkerHost
{
    /// <summary>Takes over the process when it is a native worker; returns at once otherwise. Called by <see cref="FanoutModule"/>.</summary>
    internal static void EnterIfNativeWorker()
    {
        // Under the JIT this runs when Fanout is first used, in a process that is never a native worker.
        if (RuntimeFeature.IsDynamicCodeSupported)
            return;
        var args = Environment.GetCommandLineArgs();
        if (args.Length < 3 || args[1] != Marker)
            return;
        Environment.Exit(Main(args[1..]));
    }

    /// <summary>The command that starts a worker of a native application: the application itself.</summary>
    private static ProcessSpec NativeSpec()
    {
        var program = Environment.ProcessPath;
        if (string.IsNullOrEmpty(program) || !File.Exists(program))
            throw Unsupported("this application is compiled ahead of time (NativeAOT), and its worker is its own executable, which cannot be found on disk.");
        return new ProcessSpec(program, [Marker])
            .WithStdin(Stdio.Null)
            .WithProcessGroup(ProcessGroupMode.Inherit);
    }

    /// <summary>
    /// Which build of a native application this process runs: its executable's device, inode and
    /// change time, read through <c>/proc/self/exe</c> (the file this process was started from,
    /// even if it was replaced since). A worker whose value differs from its parent's is another build.
    /// </summary>
    internal static Guid NativeBuildIdentity => LazyBuildIdentity.Value;

    private static readonly Lazy<Guid> LazyBuildIdentity = new(ReadBuildIdentity);

    private static unsafe Guid ReadBuildIdentity()
    {
        Libc.Statx stat;
        if (Libc.statx(Libc.AT_FDCWD, "/proc/self/exe", 0, Libc.STATX_INO | Libc.STATX_CTIME, &stat) != 0)
            return Guid.Empty;
        var device = ((long)stat.DevMajor << 20) | stat.DevMinor;
        Span<long> words = [(long)stat.Inode ^ (device << 40), (stat.CtimeSeconds * 1_000_000_000) + stat.CtimeNanoseconds];
        return new Guid(System.Runtime.InteropServices.MemoryMarshal.AsBytes(words));
    }
}
