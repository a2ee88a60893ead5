using System.Globalization;
using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary><c>--pipe --round-robin</c> and <see cref="RoundRobinInput"/>: one stream shared out among at most -j jobs.</summary>
public sealed class RoundRobinSpecs : ProcessTestBase
{
    private static byte[] Numbers(int count) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, count).Select(i => $"{i}\n")));

    [Fact(Timeout = 60_000)]
    public async Task Every_line_reaches_exactly_one_of_at_most_j_jobs_in_order()
    {
        using var cli = new Cli();

        var joblog = cli.File("jobs.tsv");

        var result = await cli.Spec("--quiet", "-k", "--joblog", joblog, "--pipe", "--round-robin", "-j", "3", "--block", "1k", "echo \"<{#}>\"; cat")
            .WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: Numbers(20_000));

        Assert.Equal(0, result.ReturnCode);
        var jobs = Cli.LinesByJob(result.StdoutText).ToDictionary(job => job.Key, job => job.Value.Select(line => int.Parse(line, CultureInfo.InvariantCulture)).ToList());
        Assert.Equal([1, 2, 3], jobs.Keys.Order());
        foreach (var (_, lines) in jobs)
            Assert.Equal(lines.Order(), lines);
        Assert.Equal(Enumerable.Range(1, 20_000), jobs.Values.SelectMany(l => l).Order());
        // Many blocks each: the jobs took turns, not one block apiece.
        Assert.All(jobs.Values, lines => Assert.True(lines.Count > 1_000, $"a job got only {lines.Count} lines"));
        // The job log's Send column: what each job was given, so all of it together.
        var sent = File.ReadAllLines(joblog).Skip(1).Sum(line => long.Parse(line.Split('\t')[4], CultureInfo.InvariantCulture));
        Assert.Equal(Numbers(20_000).Length, sent);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-j 5 --block 20", 21)]
    [InlineData("-j 3 -N 1", 3)]
    public async Task With_no_more_blocks_than_jobs_each_block_is_a_job_as_in_GNU_parallel(string options, int lines)
    {
        using var cli = new Cli();
        var input = Numbers(lines);
        string[] words = ["--pipe", "--round-robin", .. options.Split(' '), "echo \"<{#} {%}>\"; cat"];

        await cli.AssertPrintsWhatGnuParallelPrintsAsync(words, input);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_job_that_stops_reading_gets_no_more_and_the_others_get_the_rest()
    {
        using var cli = new Cli();
        // Job 1 reads one line and exits; job 2 counts everything it is given.
        var command = $"if [ $PARALLEL_SEQ = 1 ]; then head -n 1 > /dev/null; else {TestChild.Path} count-stdin; fi";

        var result = await cli.Spec("--quiet", "--pipe", "--round-robin", "-j", "2", "--block", "4k", command)
            .WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: Numbers(200_000));

        Assert.Equal(0, result.ReturnCode);
        var counted = long.Parse(result.StdoutText.Trim(), CultureInfo.InvariantCulture);
        // Job 1 took its first block at least, and at most what its pipe (64 KiB) and head's own read
        // buffer hold, a block waiting and one being written: well under 128 KiB. Job 2 got all the rest.
        Assert.InRange(counted, Numbers(200_000).Length - (128 * 1024), Numbers(200_000).Length - "1\n".Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task Jobs_that_cannot_start_end_the_batch_rather_than_hang_it()
    {
        using var cli = new Cli();

        var result = await cli.Spec("--quiet", "--pipe", "--round-robin", "-j", "2", "--block", "1k", "no-such-program-anywhere {#}")
            .WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: Numbers(50_000));

        Assert.Equal(2, result.ReturnCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--round-robin wc -l ::: a", "apply to --pipe")]
    [InlineData("--pipe --round-robin --tee wc -l ::: a", "--round-robin streams")]
    [InlineData("--pipe --round-robin --cat wc -l", "--round-robin streams")]
    public async Task Round_robin_without_pipe_or_with_a_whole_block_delivery_is_a_usage_error(string line, string message)
    {
        using var cli = new Cli();

        await cli.AssertUsageErrorAsync(line, message);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_shared_job_that_fails_is_not_retried_since_its_input_is_gone()
    {
        var blocks = Enumerable.Range(1, 6).Select(i => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes($"block {i}\n"));
        using var input = new RoundRobinInput(blocks, jobs: 2);
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 2, Retries = 3, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var summary = await runner.RunAsync(input.Jobs(n => new JobSpec(n.ToString(CultureInfo.InvariantCulture),
            n == 1 ? ShellQuoting.Join([TestChild.Path, "cat"]) + "; exit 3" : ShellQuoting.Join([TestChild.Path, "cat"]))));

        Assert.Equal(1, summary.Succeeded);
        var failure = Assert.Single(summary.Failures);
        Assert.Equal(1, failure.Attempts);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_short_input_queues_only_as_many_jobs_as_it_has_blocks_and_the_jobs_enumerate_once()
    {
        var blocks = new[] { "a\n", "b\n" }.Select(text => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes(text));
        using var input = new RoundRobinInput(blocks, jobs: 8);

        var jobs = input.Jobs(n => new JobSpec(n.ToString(CultureInfo.InvariantCulture), "cat")).ToList();

        Assert.Equal(["1", "2"], jobs.Select(j => j.Id));
        Assert.All(jobs, job => Assert.NotNull(job.StandardInputWriter));
        Assert.Throws<InvalidOperationException>(() => input.Jobs(n => new JobSpec("x", "cat")));
        // Never run: their shares hold a block each and are closed, so a writer would end at once.
        using var sink = new MemoryStream();
        await jobs[0].StandardInputWriter!(sink, CancellationToken.None);
        Assert.Equal("a\n", Encoding.ASCII.GetString(sink.ToArray()));
    }
}
