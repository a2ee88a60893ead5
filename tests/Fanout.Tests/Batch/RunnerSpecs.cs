using System.Globalization;
using Fanout.Batch;
using StreamJobSource = Fanout.Batch.StreamJobSource;

namespace Fanout.Tests.Batch;

public sealed class RunnerSpecs : ProcessTestBase
{
    private static JobSpec Job(string id, params string[] steps) =>
        new(id, ShellQuoting.Join([TestChild.Path, .. steps]));

    [Fact(Timeout = 60_000)]
    public async Task Every_job_runs_once_and_at_most_N_run_at_once()
    {
        using var folder = new Cli();
        var marker = folder.File("running");
        // Each job appends its start and end to one file; the overlap seen there bounds the concurrency.
        var jobs = Enumerable.Range(1, 12).Select(i => new JobSpec($"j{i}",
            $"echo start >> {marker}; {TestChild.Path} sleep 0.2; echo end >> {marker}")).ToList();
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 3 });

        var summary = await runner.RunAsync(jobs);

        Assert.True(summary.Success);
        Assert.Equal(12, summary.Succeeded);
        var running = 0;
        var most = 0;
        foreach (var line in await File.ReadAllLinesAsync(marker))
        {
            running += line == "start" ? 1 : -1;
            most = Math.Max(most, running);
        }

        // Never more than 3; and with 12 jobs of 0.2 s, the limit is reached (2 at least on a very loaded machine).
        Assert.InRange(most, 2, 3);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_job_waits_for_free_memory_but_never_for_ever()
    {
        using var folder = new Cli();
        var marker = folder.File("running");
        var jobs = Enumerable.Range(1, 4).Select(i => new JobSpec($"j{i}",
            $"echo start >> {marker}; {TestChild.Path} sleep 0.2; echo end >> {marker}")).ToList();
        // More memory than any machine has: each job waits until nothing else runs, then starts alone.
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 4, MinimumFreeMemory = 1L << 50 });

        var summary = await runner.RunAsync(jobs);

        Assert.True(summary.Success);
        Assert.Equal(["start", "end", "start", "end", "start", "end", "start", "end"], await File.ReadAllLinesAsync(marker));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_start_delay_spaces_the_starts_even_with_free_slots()
    {
        using var folder = new Cli();
        var starts = folder.File("starts");
        var jobs = Enumerable.Range(1, 4).Select(i => new JobSpec($"j{i}", $"date +%s.%N >> {starts}")).ToList();
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 4, StartDelay = TimeSpan.FromMilliseconds(300) });

        var summary = await runner.RunAsync(jobs);

        Assert.True(summary.Success);
        var times = (await File.ReadAllLinesAsync(starts)).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(4, times.Count);
        // Three gaps of 0.3 s; the first job's own start-up may eat a little of the first.
        Assert.True(times[^1] - times[0] >= 0.75, $"the starts spanned {times[^1] - times[0]:0.000} s");
        Assert.True(summary.WallTime >= TimeSpan.FromSeconds(0.9), $"the batch took {summary.WallTime}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_job_is_retried_with_backoff_and_counted_once()
    {
        using var folder = new Cli();
        var counter = folder.File("count");
        // Fails twice, then succeeds.
        var job = new JobSpec("flaky", $"echo x >> {counter}; [ $(wc -l < {counter}) -ge 3 ]");
        var observer = new Recorder();
        using var runner = new BatchRunner(new BatchOptions { Retries = 3, RetryDelay = TimeSpan.FromMilliseconds(50) }, observer);

        var summary = await runner.RunAsync([job]);

        Assert.True(summary.Success);
        Assert.Equal(3, (await File.ReadAllLinesAsync(counter)).Length);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], observer.RetryDelays);
        Assert.Equal(3, Assert.Single(observer.Finished).Attempts);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_job_over_its_time_limit_is_stopped_and_reported_as_timed_out()
    {
        using var runner = new BatchRunner(new BatchOptions { Timeout = TimeoutPolicy.Parse("2"), StopGracePeriod = TimeSpan.FromMilliseconds(200) });

        var summary = await runner.RunAsync([Job("slow", "sleep", "30"), Job("quick", "exit", "0")]);

        var failure = Assert.Single(summary.Failures);
        Assert.Equal(JobOutcome.TimedOut, failure.Outcome);
        Assert.Equal(Signal.Terminate, failure.Status?.Signal);
        Assert.True(failure.Runtime < TimeSpan.FromSeconds(5));
        Assert.Equal(1, summary.ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_relative_timeout_stops_jobs_far_slower_than_the_median()
    {
        var jobs = Enumerable.Range(1, 4).Select(i => Job($"fast{i}", "sleep", "0.2")).Append(Job("stuck", "sleep", "30"));
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 5, Timeout = TimeoutPolicy.Parse("300%"), StopGracePeriod = TimeSpan.Zero });

        var summary = await runner.RunAsync(jobs.ToList());

        Assert.Equal(4, summary.Succeeded);
        Assert.Equal("stuck", Assert.Single(summary.Failures).Job.Id);
        Assert.True(summary.WallTime < TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 60_000)]
    public async Task Halting_soon_after_a_failure_starts_nothing_more()
    {
        var jobs = new List<JobSpec> { Job("bad", "exit", "2") };
        jobs.AddRange(Enumerable.Range(1, 20).Select(i => Job($"later{i}", "sleep", "0.05")));
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 1, Halt = HaltPolicy.Parse("soon,fail=1") });

        var summary = await runner.RunAsync(jobs);

        Assert.Equal(0, summary.Succeeded);
        Assert.Single(summary.Failures);
        Assert.NotNull(summary.HaltReason);
        Assert.False(summary.Success);
    }

    [Fact(Timeout = 60_000)]
    public async Task Halting_now_stops_the_running_jobs()
    {
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 2, Halt = HaltPolicy.Parse("now,fail=1"), StopGracePeriod = TimeSpan.Zero });

        var summary = await runner.RunAsync([Job("long", "sleep", "30"), Job("bad", "sleep", "0.2", "exit", "1")]);

        Assert.Contains(summary.Failures, f => f.Job.Id == "long" && f.Outcome == JobOutcome.Cancelled);
        Assert.True(summary.WallTime < TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 60_000)]
    public async Task Dependencies_run_in_order_and_a_failure_skips_what_depends_on_it()
    {
        using var folder = new Cli();
        var log = folder.File("order");
        JobSpec Step(string id, string command, params string[] after) => new(id, command) { DependsOn = [.. after] };
        var jobs = new List<JobSpec>
        {
            Step("c", $"echo c >> {log}", "b"),
            Step("b", $"echo b >> {log}", "a"),
            Step("a", $"sleep 0.1; echo a >> {log}"),
            Step("broken", "exit 1"),
            Step("downstream", "echo never", "broken"),
            Step("further", "echo never", "downstream"),
        };
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 4 });

        var summary = await runner.RunAsync(jobs);

        Assert.Equal(["a", "b", "c"], await File.ReadAllLinesAsync(log));
        Assert.Equal(3, summary.Succeeded);
        Assert.Equal(["broken", "downstream", "further"], summary.Failures.Select(f => f.Job.Id));
        Assert.Equal([JobOutcome.Failed, JobOutcome.Skipped, JobOutcome.Skipped], summary.Failures.Select(f => f.Outcome));
    }

    [Fact(Timeout = 30_000)]
    public async Task Wrong_dependencies_are_refused_naming_the_jobs()
    {
        await Task.Yield();
        var missing = Assert.Throws<FanoutException>(() => BatchRunner.Validate([new JobSpec("a", "true") { DependsOn = ["ghost"] }]));
        var cycle = Assert.Throws<FanoutException>(() => BatchRunner.Validate([
            new JobSpec("a", "true") { DependsOn = ["b"] }, new JobSpec("b", "true") { DependsOn = ["a"] }]));
        var twice = Assert.Throws<FanoutException>(() => BatchRunner.Validate([new JobSpec("a", "true"), new JobSpec("a", "false")]));

        Assert.Contains("'ghost'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("a -> b -> a", cycle.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", twice.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_joblog_has_a_line_per_finished_job_and_resume_skips_them()
    {
        using var folder = new Cli();
        var joblog = folder.File("jobs.log");
        var jobs = new List<JobSpec> { Job("ok", "exit", "0"), Job("bad", "exit", "3"), Job("sig", "signal", "9") };
        using (var first = new BatchRunner(new BatchOptions { JoblogPath = joblog }))
            await first.RunAsync(jobs);

        var lines = await File.ReadAllLinesAsync(joblog);
        Assert.Equal(Joblog.Header, lines[0]);
        var rows = lines[1..].Select(l => l.Split('\t')).ToDictionary(c => c[12]);
        Assert.Equal(["0", "0"], rows["ok"][6..8]);
        Assert.Equal(["3", "0"], rows["bad"][6..8]);
        Assert.Equal(["-1", "9"], rows["sig"][6..8]);
        Assert.Equal(jobs[1].CommandLine, rows["bad"][8]);

        using var resumeFailed = new BatchRunner(new BatchOptions { JoblogPath = joblog, Resume = ResumeMode.ResumeFailed });
        var again = await resumeFailed.RunAsync(jobs);
        using var resumeAll = new BatchRunner(new BatchOptions { JoblogPath = joblog, Resume = ResumeMode.Resume });
        var none = await resumeAll.RunAsync(jobs);

        Assert.Equal(1, again.AlreadyDone);
        Assert.Equal(2, again.Failures.Count);
        Assert.Equal(3, none.AlreadyDone);
        Assert.Empty(none.Failures);
    }

    [Fact(Timeout = 60_000)]
    public async Task Results_go_to_one_folder_per_job()
    {
        using var folder = new Cli();
        var results = folder.File("results");
        using var runner = new BatchRunner(new BatchOptions { ResultsDirectory = results });

        await runner.RunAsync([Job("sample/1", "out", "hello", "err", "warn", "exit", "4")]);

        var dir = Path.Combine(results, "sample_1");
        Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(dir, "stdout")));
        Assert.Equal("warn\n", await File.ReadAllTextAsync(Path.Combine(dir, "stderr")));
        var status = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "status.json"))).RootElement;
        Assert.Equal(4, status.GetProperty("exit").GetInt32());
        Assert.Equal("Failed", status.GetProperty("outcome").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_summary_keeps_only_the_end_of_a_failures_stderr_while_the_results_keep_it_all()
    {
        using var folder = new Cli();
        var results = folder.File("results");
        using var runner = new BatchRunner(new BatchOptions { ResultsDirectory = results });

        var summary = await runner.RunAsync([Job("loud", "write-stdout", "300000", "write-stderr", "300000", "err", "the last words", "exit", "3")]);

        var failure = Assert.Single(summary.Failures);
        Assert.Empty(failure.Stdout);
        Assert.Equal(BatchRunner.FailureStderrKept, failure.Stderr.Length);
        Assert.EndsWith("the last words\n", System.Text.Encoding.UTF8.GetString(failure.Stderr), StringComparison.Ordinal);
        Assert.Equal(300_000, new FileInfo(Path.Combine(results, "loud", "stdout")).Length);
        Assert.Equal(300_000 + "the last words\n".Length, new FileInfo(Path.Combine(results, "loud", "stderr")).Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_stops_running_jobs_and_leaves_them_out_of_the_joblog()
    {
        using var folder = new Cli();
        var joblog = folder.File("jobs.log");
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 2, JoblogPath = joblog, StopGracePeriod = TimeSpan.FromMilliseconds(100) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));

        var summary = await runner.RunAsync([Job("quick", "exit", "0"), Job("slow1", "sleep", "30"), Job("slow2", "sleep", "30")], cancel.Token);

        Assert.True(summary.Interrupted);
        Assert.Equal(1, summary.Succeeded);
        Assert.Equal(2, (await File.ReadAllLinesAsync(joblog)).Length);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_hundred_thousand_queued_jobs_are_read_lazily()
    {
        var produced = 0;
        IEnumerable<JobSpec> Endless()
        {
            for (var i = 0; ; i++)
            {
                produced++;
                yield return new JobSpec(i.ToString(CultureInfo.InvariantCulture), "true") { UseShell = false };
            }
        }

        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 2, Halt = HaltPolicy.Parse("now,success=200") });

        var summary = await runner.RunAsync(Endless());

        // What was read is the jobs run plus a bounded look-ahead, never the endless rest.
        Assert.InRange(summary.Succeeded, 200, 210);
        Assert.InRange(produced, 200, 210 + new BatchOptions().ReadAhead + 1);
    }

    private sealed class Recorder : BatchObserver
    {
        internal List<TimeSpan> RetryDelays { get; } = [];

        internal List<JobResult> Finished { get; } = [];

        public override void JobRetrying(JobResult failedAttempt, TimeSpan delay) => RetryDelays.Add(delay);

        public override void JobFinished(JobResult result) => Finished.Add(result);
    }
}
