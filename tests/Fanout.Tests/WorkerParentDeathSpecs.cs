using System.Globalization;

namespace Fanout.Tests;

/// <summary>Workers never outlive their parent: each watches its control pipe, which closes when the parent dies.</summary>
public sealed class WorkerParentDeathSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task A_daemon_is_gone_within_a_second_after_its_parent_is_killed_with_SIGKILL()
    {
        var worker = await StartParentWithWorkerAndKillIt("daemon");

        AssertGoneWithinASecond(worker);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_non_daemon_worker_also_stops_when_its_parent_is_killed_instead_of_being_orphaned()
    {
        var worker = await StartParentWithWorkerAndKillIt("plain");

        AssertGoneWithinASecond(worker);
    }

    private static void AssertGoneWithinASecond(int worker)
    {
        var gone = Eventually(() => !IsAlive(worker), TimeSpan.FromSeconds(1));
        if (!gone)
            Interop.Libc.kill(worker, 9);
        Assert.True(gone, $"worker {worker} is still alive a second after its parent was killed");
    }

    private static async Task<int> StartParentWithWorkerAndKillIt(string kind)
    {
        await using var parent = TestChild.Spec("worker", kind, "30").WithStdout(Stdio.Pipe).Start();
        int? worker = null;
        try
        {
            // The worker's first line (its pid) proves its target is running.
            await foreach (var line in parent.ReadLinesAsync())
            {
                worker = int.Parse(line, CultureInfo.InvariantCulture);
                break;
            }

            Assert.NotNull(worker);
            parent.Kill();
            Assert.Equal(Signal.Kill, (await parent.WaitAsync()).Signal);
            return worker.Value;
        }
        catch
        {
            if (worker is { } pid)
                Interop.Libc.kill(pid, 9);
            throw;
        }
    }
}
