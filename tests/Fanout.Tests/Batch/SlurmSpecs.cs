using System.Globalization;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>The Slurm backend against a real single-node cluster (scripts/slurm-up).</summary>
public sealed class SlurmSpecs : ProcessTestBase
{
    [SlurmFact(Timeout = 120_000)]
    public async Task Jobs_run_on_the_cluster_with_the_same_output_and_joblog_as_locally()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--backend", "slurm", "-k", "--quiet", "--joblog", "log.tsv", "echo", "{}", ":::", "a", "b c", "d;e");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("a\nb c\nd;e\n", result.StdoutText);
        var rows = (await File.ReadAllLinesAsync(cli.File("log.tsv"))).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(Environment.MachineName, r[1]));
        Assert.All(rows, r => Assert.Equal(["0", "0"], r[6..8]));
    }

    [SlurmFact(Timeout = 120_000)]
    public async Task Exit_codes_and_signals_are_reported_as_locally()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--backend", "slurm", "--joblog", "log.tsv", "{}", ":::", "exit 3", "kill -TERM $$", "true");

        Assert.Equal(2, result.ReturnCode);
        var rows = (await File.ReadAllLinesAsync(cli.File("log.tsv"))).Skip(1).Select(l => l.Split('\t')).ToDictionary(r => r[8]);
        Assert.Equal(["3", "0"], rows["exit 3"][6..8]);
        Assert.Equal(["-1", "15"], rows["kill -TERM $$"][6..8]);
        Assert.Contains("exited with code 3", result.StderrText, StringComparison.Ordinal);
    }

    [SlurmFact(Timeout = 180_000)]
    public async Task Batches_larger_than_MaxArraySize_are_split_into_arrays_and_status_calls_do_not_grow_with_jobs()
    {
        using var folder = new Cli();
        var maxArraySize = await MaxArraySizeAsync();
        var count = (maxArraySize * 2) + 5;
        var jobs = Enumerable.Range(1, count).Select(i => new JobSpec($"j{i}", $"echo {i} > {folder.File($"out{i}")}")).ToList();
        var backend = new SlurmBackend(new SlurmOptions { StateDirectory = folder.File("state"), PollInterval = TimeSpan.FromSeconds(1) });
        await using (backend)
        {
            using var runner = new BatchRunner(new BatchOptions { MaxParallel = 10_000 }, backend: backend);

            var summary = await runner.RunAsync(jobs);

            Assert.True(summary.Success, string.Join("; ", summary.Failures.Select(f => f.Describe())));
            Assert.All(Enumerable.Range(1, count), i => Assert.True(File.Exists(folder.File($"out{i}"))));
            Assert.True(backend.SubmittedArrays.Count >= 3, $"{backend.SubmittedArrays.Count} arrays");
            Assert.All(backend.SubmittedArrays, a => Assert.InRange(a.Tasks, 1, maxArraySize));
            Assert.Equal(count, backend.SubmittedArrays.Sum(a => a.Tasks));
            // One squeue per poll interval, however many jobs: never more than the seconds elapsed (+1).
            Assert.InRange(backend.StatusCalls, 1, (int)summary.WallTime.TotalSeconds + 2);
        }
    }

    [SlurmFact(Timeout = 120_000)]
    public async Task Interrupting_the_runner_cancels_everything_it_submitted()
    {
        using var folder = new Cli();
        var backend = new SlurmBackend(new SlurmOptions { StateDirectory = folder.File("state") });
        string[] ids;
        await using (backend)
        {
            using var runner = new BatchRunner(new BatchOptions { MaxParallel = 100 }, backend: backend);
            using var cancel = new CancellationTokenSource();
            var run = runner.RunAsync(Enumerable.Range(1, 6).Select(i => new JobSpec($"s{i}", "sleep 300")).ToList(), cancel.Token);
            for (var i = 0; i < 200 && backend.SubmittedArrays.Count == 0; i++)
                await Task.Delay(100);
            await Task.Delay(2000);

            await cancel.CancelAsync();
            var summary = await run;

            Assert.True(summary.Interrupted);
            Assert.Equal(6, summary.Failures.Count(f => f.Outcome == JobOutcome.Cancelled));
            ids = [.. backend.SubmittedArrays.Select(a => a.JobId)];
        }

        // The wrappers record the SIGTERM at once, so the runner may be done while Slurm still shows them COMPLETING.
        string[] states = [];
        for (var i = 0; i < 60 && (states.Length == 0 || states.Any(s => s == "COMPLETING")); i++)
        {
            if (i > 0)
                await Task.Delay(500);
            var listing = await new ProcessSpec("squeue", "-h", "-t", "all", "-j", string.Join(',', ids), "-o", "%T").WithCapturedOutput().RunAsync();
            states = [.. listing.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim())];
        }

        Assert.All(states, s => Assert.Equal("CANCELLED", s));
    }

    [SlurmFact(Timeout = 180_000)]
    public async Task A_runner_killed_by_SIGKILL_resumes_without_losing_or_repeating_a_job()
    {
        using var cli = new Cli();
        string[] args = ["--backend", "slurm", "--joblog", "log.tsv", "--quiet", "sleep 3; echo {} >> done.txt", ":::", .. Enumerable.Range(1, 12).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        await using (var first = cli.Spec(args).Start())
        {
            // Killed once its jobs are on the cluster and before they end: they run on without it.
            for (var i = 0; i < 400 && !Directory.EnumerateFiles(cli.Folder, "tasks.tsv", SearchOption.AllDirectories).Any(); i++)
                await Task.Delay(50);
            first.Kill();
            await first.WaitAsync();
        }

        var resumed = await cli.RunAsync(["--resume", .. args]);

        Assert.Equal(0, resumed.ReturnCode);
        var done = await File.ReadAllLinesAsync(cli.File("done.txt"));
        Assert.Equal(Enumerable.Range(1, 12), done.Select(int.Parse).Order());
        var logged = (await File.ReadAllLinesAsync(cli.File("log.tsv"))).Skip(1).Select(l => l.Split('\t')[8]).ToList();
        Assert.Equal(12, logged.Count);
        Assert.Equal(12, logged.Distinct().Count());
    }

    [SlurmFact(Timeout = 120_000)]
    public async Task A_manifest_keeps_its_order_and_final_step_on_the_cluster()
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("batch.yaml"), """
            steps:
              - id: first
                command: echo first >> order.txt
              - id: second
                command: echo second >> order.txt
                after: [first]
            then: echo then >> order.txt
            """);

        var result = await cli.RunAsync("--backend", "slurm", "--quiet", "batch.yaml");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal(["first", "second", "then"], await File.ReadAllLinesAsync(cli.File("order.txt")));
    }

    private static async Task<int> MaxArraySizeAsync()
    {
        var config = await new ProcessSpec("scontrol", "show", "config").WithCapturedOutput().RunAsync();
        var line = config.StdoutText.Split('\n').First(l => l.StartsWith("MaxArraySize", StringComparison.Ordinal));
        return int.Parse(line.Split('=')[1].Trim(), CultureInfo.InvariantCulture);
    }
}
