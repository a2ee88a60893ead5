namespace Fanout.Tests;

/// <summary>The runtime's files of a .NET worker killed by a signal are removed once it is reaped.</summary>
public sealed class RuntimeLeftoversSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task A_dotnet_child_killed_by_a_signal_leaves_no_debugger_pipes_or_diagnostics_socket()
    {
        // The test child is a .NET program; diagnostics are on for it alone (the tests turn them off for the rest).
        await using var child = TestChild.Spec("sleep", "30").WithEnvironment("DOTNET_EnableDiagnostics", "1").Start();
        var startTime = RuntimeLeftovers.StartTime(child.Pid);
        Assert.NotNull(startTime);
        var files = RuntimeLeftovers.Names(child.Pid, startTime).Select(name => Path.Combine(Path.GetTempPath(), name)).ToArray();
        Assert.True(Eventually(() => files.All(File.Exists), TimeSpan.FromSeconds(20)), "the runtime never made its files: " + string.Join(", ", files));

        RuntimeLeftovers.RemoveIfKilled(child);
        child.Kill();
        await child.WaitAsync();

        Assert.True(Eventually(() => !files.Any(File.Exists), TimeSpan.FromSeconds(5)), "left: " + string.Join(", ", files.Where(File.Exists)));
    }
}
