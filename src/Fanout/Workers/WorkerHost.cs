using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fanout;

/// <summary>
/// The program a worker process runs: Fanout.dll itself, started by the .NET host with this
/// application's own runtime configuration and dependency manifest —
/// <c>dotnet exec --runtimeconfig app.runtimeconfig.json --depsfile app.deps.json Fanout.dll --fanout-worker NAME</c>
/// — so every assembly resolves in the worker exactly as it does here, whether "here" is a console
/// app, a service, or a test host (the idea of the .NET repository's RemoteExecutor). No code in
/// the user's <c>Main</c> is needed, and none of it runs in the worker. An application compiled
/// ahead of time starts itself instead (see WorkerHost.Native.cs).
/// </summary>
internal static partial class WorkerHost
{
    internal const string Marker = "--fanout-worker";

    private static readonly Lazy<ProcessSpec> LazySpec = new(Locate);

    /// <summary>The command that starts a worker host, without the worker's name.</summary>
    /// <exception cref="ProcessStartException">This application cannot host workers; the message says why and what to do.</exception>
    internal static ProcessSpec Spec => LazySpec.Value;

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location is the single-file case, reported below.")]
    private static ProcessSpec Locate()
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
            return NativeSpec();

        var fanout = typeof(WorkerHost).Assembly.Location;
        if (string.IsNullOrEmpty(fanout))
        {
            throw Unsupported("this application is published as a single file (PublishSingleFile), so Fanout.dll is not on disk for a worker to start from. " +
                "Publish it without PublishSingleFile (a framework-dependent folder), or run the work as a separate program with ProcessSpec.");
        }

        // The runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/; the host is <root>/dotnet.
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var dotnet = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", "dotnet"));
        if (!File.Exists(dotnet))
        {
            throw Unsupported($"there is no 'dotnet' host beside this application's runtime ({runtime}); a self-contained application cannot start a worker yet. " +
                "Publish it framework-dependent (SelfContained=false) with a .NET installation on the machine.");
        }

        var deps = ApplicationDepsFile();
        var runtimeConfig = ApplicationRuntimeConfig(deps) ?? throw Unsupported(
            "this application's runtime configuration (<app>.runtimeconfig.json) was not found next to it, and a worker is started with it. " +
            "Keep the .runtimeconfig.json that the build writes beside the application.");
        List<string> arguments = ["exec", "--runtimeconfig", runtimeConfig];
        if (deps is not null)
            arguments.AddRange(["--depsfile", deps]);
        arguments.AddRange([fanout, Marker]);

        // Workers stay in our process group, as Python's do: Ctrl-C at a terminal reaches them too.
        var spec = new ProcessSpec(dotnet, arguments)
            .WithStdin(Stdio.Null)
            .WithProcessGroup(ProcessGroupMode.Inherit);

        // Profile-guided tiering first runs hot code instrumented, which made a pool worker's loop
        // over a chunk three to four times slower for its first seconds; a worker rarely lives long
        // enough to earn it back. A value the user set wins.
        if (Environment.GetEnvironmentVariable("DOTNET_TieredPGO") is null)
            spec = spec.WithEnvironment("DOTNET_TieredPGO", "0");
        return spec;
    }

    /// <summary>The application's .deps.json, the first the host loaded (the framework's come after it).</summary>
    private static string? ApplicationDepsFile()
    {
        var files = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        var framework = AppContext.GetData("FX_DEPS_FILE") as string;
        return files.FirstOrDefault(f => f != framework && File.Exists(f));
    }

    /// <summary>The application's .runtimeconfig.json: beside its .deps.json, named on our command line, or named after the entry assembly.</summary>
    private static string? ApplicationRuntimeConfig(string? deps)
    {
        const string DepsSuffix = ".deps.json";
        if (deps is not null && deps.EndsWith(DepsSuffix, StringComparison.Ordinal))
        {
            var beside = string.Concat(deps.AsSpan(0, deps.Length - DepsSuffix.Length), ".runtimeconfig.json");
            if (File.Exists(beside))
                return beside;
        }

        // `dotnet exec --runtimeconfig X …` (a test host is started this way).
        try
        {
            var commandLine = File.ReadAllText("/proc/self/cmdline").Split('\0');
            var at = Array.IndexOf(commandLine, "--runtimeconfig");
            if (at >= 0 && at + 1 < commandLine.Length && File.Exists(commandLine[at + 1]))
                return Path.GetFullPath(commandLine[at + 1]);
        }
        catch (IOException)
        {
        }

        var entry = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        var named = entry is null ? null : Path.Combine(AppContext.BaseDirectory, entry + ".runtimeconfig.json");
        return named is not null && File.Exists(named) ? named : null;
    }

    private static ProcessStartException Unsupported(string reason) => new("a worker process", reason);
}
