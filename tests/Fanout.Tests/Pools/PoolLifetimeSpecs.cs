using System.Globalization;

namespace Fanout.Tests.Pools;

/// <summary>No pool worker outlives the program that owns the pool, however that program ends.</summary>
public sealed class PoolLifetimeSpecs : ProcessTestBase
{
    [Theory(Timeout = 5_000)]
    [InlineData(1, 2, false)]
    [InlineData(2, 2, true)]
    [InlineData(4, 2, true)]
    [InlineData(2, 4, false)]
    [InlineData(3, 4, false)]
    [InlineData(4, 4, true)]
    public async Task The_first_worker_starts_alone_only_when_the_workers_would_share_the_cores(int processes, int cores, bool alone)
    {
        Assert.Equal(alone, ProcessPoolEngine.FirstWorkerStartsAlone(processes, cores));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pool_with_more_workers_than_cores_starts_them_all_and_uses_them_all()
    {
        await using var pool = new Pool(Environment.ProcessorCount + 1);

        var pids = Enumerable.Range(0, pool.Processes).Select(_ => pool.ApplyAsync(PoolTargets.PidAfter, 2.0)).ToList().Select(r => r.Get(TimeSpan.FromSeconds(20)));

        Assert.Equal(pool.Processes, pids.Distinct().Count());
    }

    [Fact(Timeout = 40_000)]
    public async Task Pool_workers_die_when_their_parent_is_killed_with_SIGKILL()
    {
        var workers = await StartPoolProgramAndEndIt(Signal.Kill);

        AssertAllGone(workers);
    }

    [Fact(Timeout = 40_000)]
    public async Task Pool_workers_die_when_their_parent_gets_Ctrl_C()
    {
        var workers = await StartPoolProgramAndEndIt(Signal.Interrupt);

        AssertAllGone(workers);
    }

    private static void AssertAllGone(List<int> workers)
    {
        var gone = Eventually(() => workers.All(w => !IsAlive(w)), TimeSpan.FromSeconds(3));
        foreach (var left in workers.Where(IsAlive))
            Interop.Libc.kill(left, 9);
        Assert.True(gone, $"pool workers {string.Join(", ", workers)} outlived their parent");
    }

    /// <summary>Runs the Seed001 sample with 30-second tasks, waits for its second pool's four workers, then signals it.</summary>
    private static async Task<List<int>> StartPoolProgramAndEndIt(Signal signal)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "Seed001.Pool");
        await using var parent = new ProcessSpec(program, "30").WithStdout(Stdio.Pipe).Start();
        List<int> workers = [];
        try
        {
            await foreach (var line in parent.ReadLinesAsync())
            {
                if (line.StartsWith('['))
                    break;
            }

            // The first pool's workers (PoolWorker-1 to 4) may still be exiting; wait for the second pool's.
            Assert.True(
                Eventually(() => (workers = ChildrenOf(parent.Pid, "PoolWorker-5", "PoolWorker-6", "PoolWorker-7", "PoolWorker-8")).Count == 4, TimeSpan.FromSeconds(15)),
                "the second pool's workers did not start");
            parent.SendSignal(signal);
            var status = await parent.WaitAsync();
            Assert.NotEqual(0, status.ReturnCode);
            return workers;
        }
        catch
        {
            foreach (var pid in workers)
                Interop.Libc.kill(pid, 9);
            throw;
        }
    }

    private static List<int> ChildrenOf(int parent, params string[] names)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) != parent || fields[0] == "Z")
                    continue;
                var arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (arguments.Any(names.Contains))
                    found.Add(pid);
            }
            catch (IOException)
            {
            }
        }

        return found;
    }
}
