using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Fanout.Interop;

namespace Fanout;

/// <summary>What runs when Fanout is loaded: under the JIT on its first use, under NativeAOT before the application's <c>Main</c>.</summary>
internal static class FanoutModule
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Imports must be bound before Fanout's first system call, and under NativeAOT a worker must take over before the application's Main runs.")]
    internal static void Initialize()
    {
        LibcResolver.Register();
        WorkerHost.EnterIfNativeWorker();
    }
}
