using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary><c>--pipe --shard</c> and <c>--bin</c> (<see cref="ShardedInput"/>): each line to the job its column's value picks.</summary>
public sealed class ShardSpecs : ProcessTestBase
{
    [Theory(Timeout = 60_000)]
    [InlineData("-j 3")]
    [InlineData("-j 4")]
    [InlineData("-j 2 --colsep ;")]
    public async Task Bin_sends_each_line_where_GNU_parallel_sends_it(string options)
    {
        using var cli = new Cli();
        var separator = options.Contains(';', StringComparison.Ordinal) ? ';' : ',';
        var values = new[] { "0", "1", "2", "3", "7", "-1", "-4", "2.7", " 5", "6e0", "abc", "", "12x", "+8", "1e1", "-0.5", "99" };
        var input = Encoding.UTF8.GetBytes(string.Concat(values.Select((v, i) => $"{v}{separator}line {i}\n")));
        string[] words = ["--pipe", "--bin", "1", .. options.Split(' '), "echo \"<{#} {%}>\"; cat"];

        await cli.AssertPrintsWhatGnuParallelPrintsAsync(words, input);
    }

    [Fact(Timeout = 60_000)]
    public async Task Shard_sends_every_line_with_a_key_to_one_job_in_input_order()
    {
        using var cli = new Cli();
        var input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 50_000).Select(i => $"key{i % 37},{i}\n")));

        var result = await cli.Spec("--quiet", "-k", "--pipe", "--shard", "1", "-j", "3", "echo \"<{#}>\"; cat")
            .WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: input);

        Assert.Equal(0, result.ReturnCode);
        var jobs = Cli.LinesByJob(result.StdoutText);
        Assert.Equal([1, 2, 3], jobs.Keys);
        var keysByJob = jobs.Values.Select(lines => lines.Select(l => l.Split(',')[0]).ToHashSet()).ToList();
        for (var a = 0; a < keysByJob.Count; a++)
        {
            for (var b = a + 1; b < keysByJob.Count; b++)
                Assert.Empty(keysByJob[a].Intersect(keysByJob[b]));
        }

        // 37 keys spread over the jobs, not all in one.
        Assert.All(keysByJob, keys => Assert.InRange(keys.Count, 5, 30));
        foreach (var lines in jobs.Values)
        {
            var numbers = lines.Select(l => int.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(numbers.Order(), numbers);
        }

        Assert.Equal(Enumerable.Range(0, 50_000), jobs.Values.SelectMany(l => l).Select(l => int.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).Order());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_named_column_is_read_from_the_header_which_goes_to_no_job()
    {
        using var cli = new Cli();

        // GNU parallel 20221122 sends the header to no job with --shard, and prints nothing at all with --bin and a name.
        var result = await cli.RunWithInputAsync("id,n\na,1\nb,2\na,3\n", "--quiet", "-k", "--pipe", "--header", ":", "--bin", "n", "-j", "2", "echo \"<{#}>\"; cat");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("<1>\na,1\na,3\n<2>\nb,2\n", result.StdoutText);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--pipe --shard 1 -N 2 cat", "do not apply")]
    [InlineData("--pipe --shard 1 --bin 1 cat", "give one of them")]
    [InlineData("--pipe --bin 1 -j 0 cat", "up to 1024")]
    [InlineData("--pipe --shard name cat", "together with --header :")]
    [InlineData("--pipe --round-robin --memfree 1G cat", "do not apply")]
    [InlineData("--shard 1 cat ::: a", "give --pipe too")]
    public async Task A_shard_or_bin_that_cannot_work_is_a_usage_error(string line, string message)
    {
        using var cli = new Cli();

        await cli.AssertUsageErrorAsync(line, message);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--shard 1 -j 2 no-such-program-anywhere", 2)]
    [InlineData("--round-robin -j 2 --block 1k no-such-program-anywhere", 2)]
    [InlineData("--shard 1 -j 3 --halt soon,fail=1 if [ $PARALLEL_SEQ = 1 ]; then exit 1; fi; wc -l > /dev/null", 1)]
    [InlineData("--bin 1 -j 3 --halt now,fail=1 if [ $PARALLEL_SEQ = 2 ]; then exit 1; fi; wc -l > /dev/null", 1)]
    public async Task Jobs_that_cannot_start_or_a_halt_end_a_shared_input_run_rather_than_hang_it(string options, int failed)
    {
        using var cli = new Cli();
        var input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => $"{i},x\n")));
        var command = options.Split(' ');
        // The command is everything after the options, as one shell command line.
        var at = Array.FindIndex(command, w => w is "no-such-program-anywhere" or "if");
        string[] line = ["--quiet", "--pipe", .. command[..at], string.Join(' ', command[at..])];

        var result = await cli.Spec(line).WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: input);

        Assert.True(result.ReturnCode == failed, $"exit {result.ReturnCode}: {result.StderrText}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Lines_that_trickle_in_reach_their_job_before_the_input_ends()
    {
        using var cli = new Cli();
        // Each job answers its first line by creating a file; the input stays open until both files exist.
        using var run = cli.Spec("--quiet", "--pipe", "--bin", "1", "-j", "2", "head -n 1 > /dev/null; touch answered.$PARALLEL_SEQ; cat > /dev/null")
            .WithStdin(Stdio.Pipe).Start();
        await run.StandardInput!.WriteAsync("1,a\n2,b\n"u8.ToArray());
        await run.StandardInput.FlushAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(cli.File("answered.1")) || !File.Exists(cli.File("answered.2")))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "a job never got its line while the input stayed open");
            await Task.Delay(20);
        }

        await run.StandardInput.DisposeAsync();
        Assert.Equal(0, (await run.WaitAsync()).ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Bin_reads_only_ASCII_digits_as_a_number()
    {
        using var cli = new Cli();

        var result = await cli.RunWithInputAsync("\u0661\u0662,x\n\u00a05,y\n3,z\n", "--quiet", "-k", "--pipe", "--bin", "1", "-j", "3", "echo \"<{#}>\"; cat");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("<1>\n<2>\n<3>\n\u0661\u0662,x\n\u00a05,y\n3,z\n", result.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_job_that_stops_reading_loses_its_lines_only_and_the_batch_ends()
    {
        var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => $"{i % 2},{i}\n"))));
        using var sharded = new ShardedInput(input, jobs: 2, LineColumn.At(1, ","), ShardRule.Bin);
        var observer = new Finished();
        using var runner = new BatchRunner(new BatchOptions { MaxParallel = 2 }, observer);

        // Job 1 gets the odd lines and reads one of them; job 2 gets the even ones and counts them.
        var summary = await runner.RunAsync(sharded.Jobs(n => new JobSpec(n.ToString(CultureInfo.InvariantCulture),
            n == 1 ? "head -n 1" : ShellQuoting.Join([TestChild.Path, "count-stdin"]))));

        Assert.True(summary.Success);
        var even = observer.Results.Single(r => r.Job.Id == "2");
        Assert.Equal(Enumerable.Range(0, 200_000).Where(i => i % 2 == 0).Sum(i => $"0,{i}\n".Length).ToString(CultureInfo.InvariantCulture) + "\n", Encoding.UTF8.GetString(even.Stdout));
        Assert.Equal("1,1\n", Encoding.UTF8.GetString(observer.Results.Single(r => r.Job.Id == "1").Stdout));
    }

    private sealed class Finished : BatchObserver
    {
        internal List<JobResult> Results { get; } = [];

        public override void JobFinished(JobResult result)
        {
            lock (Results)
                Results.Add(result);
        }
    }
}
