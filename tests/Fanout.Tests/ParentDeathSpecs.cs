using System.Globalization;

namespace Fanout.Tests;

public sealed class ParentDeathSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task Children_that_must_not_outlive_their_parent_die_within_a_second_of_its_SIGKILL()
    {
        var kept = await StartParentAndKillIt("spawn-kept");

        Assert.True(Eventually(() => kept.All(pid => !IsAlive(pid)), TimeSpan.FromSeconds(1)),
            "still alive: " + string.Join(", ", kept.Where(IsAlive)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Children_without_the_option_survive_their_parent()
    {
        var plain = await StartParentAndKillIt("spawn-plain");
        try
        {
            await Task.Delay(500);
            Assert.All(plain, pid => Assert.True(IsAlive(pid)));
        }
        finally
        {
            foreach (var pid in plain)
                Interop.Libc.kill(pid, 9);
        }
    }

    private static async Task<List<int>> StartParentAndKillIt(string mode)
    {
        await using var parent = TestChild.Spec(mode, "3", "30").WithStdout(Stdio.Pipe).Start();
        var pids = new List<int>();
        await foreach (var line in parent.ReadLinesAsync())
        {
            if (line == "ready")
                break;
            pids.Add(int.Parse(line, CultureInfo.InvariantCulture));
        }

        Assert.Equal(3, pids.Count);
        parent.Kill();
        Assert.Equal(Signal.Kill, (await parent.WaitAsync()).Signal);
        return pids;
    }
}
