using System.Runtime.CompilerServices;

namespace Fanout.Tests;

/// <summary>What every process the tests start inherits.</summary>
internal static class TestEnvironment
{
    /// <summary>
    /// The .NET children the tests start (the test child, workers, pools) open no diagnostics
    /// channels: the runtime makes a debugger pipe pair and a diagnostics socket in /tmp for each
    /// process and removes them only at a normal exit, so every child a test kills would leave
    /// three files behind.
    /// </summary>
#pragma warning disable CA2255 // a test assembly's own setting, made before any test starts a process
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => Environment.SetEnvironmentVariable("DOTNET_EnableDiagnostics", "0");
}
