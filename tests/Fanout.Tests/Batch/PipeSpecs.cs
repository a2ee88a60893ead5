using System.Globalization;
using System.Text;

namespace Fanout.Tests.Batch;

/// <summary><c>fanout run --pipe</c>: standard input cut into blocks of whole records, one block per job's stdin.</summary>
public sealed class PipeSpecs : ProcessTestBase
{
    /// <summary>Lines of every length, tricky text included, the last without its newline.</summary>
    private static string Input()
    {
        var random = new Random(GnuParallel.Seed);
        var lines = Enumerable.Range(0, 400).Select(i => i % 97 == 0 ? new string('L', random.Next(150, 400)) : GnuParallel.Value(random));
        return string.Join('\n', lines) + "\nlast line without a newline";
    }

    public static TheoryData<string[]> Cuts() => new()
    {
        { [] },
        { ["--block", "100"] },
        { ["--block", "333"] },
        { ["-L", "3", "--block", "200"] },
        { ["-L", "2", "--block", "50"] },
        { ["--block", "1"] },
        { ["-L", "1", "--block", "300"] },
        { ["-N", "7"] },
        { ["-L", "2", "-N", "5"] },
        { ["--recend", "a", "-N", "3"] },
        { ["--block", "1k"] },
        { ["--block", "1K"] },
        { ["--block", "0.5ki"] },
        { ["--recstart", "b", "--block", "200"] },
        { ["--recstart", "b", "-N", "3"] },
        { ["--recstart", "L", "--recend", "\\n", "-N", "2"] },
        { ["--recstart", "L", "--recend", "\\n", "--block", "150"] },
        { ["--recstart", "ab", "--recend", "", "-N", "4"] },
        { ["--recstart", "LL", "--recend", "", "--block", "90"] },
        { ["--header", ":", "-N", "5"] },
        { ["--header", ":", "--block", "300"] },
        { ["--header", ":", "-r", "-L", "2", "-N", "3"] },
        { ["-r", "-N", "4"] },
        { ["--rrs", "-N", "3"] },
        { ["--rrs", "--block", "200"] },
        { ["--rrs", "--recend", "a", "-N", "3"] },
        { ["--rrs", "--recstart", "b", "--block", "200"] },
        { ["--rrs", "--recstart", "L", "--recend", "\\n", "-N", "2"] },
        { ["--rrs", "-L", "2", "-N", "5"] },
        { ["--rrs", "--header", ":", "-N", "5"] },
        { ["--rrs", "--recend", "e\\n", "--block", "150"] },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cuts))]
    public async Task Blocks_are_cut_where_GNU_parallel_cuts_them(string[] options)
    {
        using var cli = new Cli();
        var input = Encoding.UTF8.GetBytes(Input());
        string[] words = ["--pipe", .. options, "echo \"<{#}>\"; cat; echo"];

        var ours = await cli.Spec(["-k", "--quiet", .. words]).WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: input);
        var theirs = await GnuParallel.Spec(words).WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: input);

        Assert.True(theirs.Status.Success, theirs.StderrText);
        Assert.Equal(0, ours.ReturnCode);
        Assert.Equal(theirs.StdoutText, ours.StdoutText);
        if (options.Length > 0)
            Assert.Contains("<2>", ours.StdoutText, StringComparison.Ordinal);
        else
            Assert.DoesNotContain("<2>", ours.StdoutText, StringComparison.Ordinal); // all of it fits in one 1 MiB block
    }

    [Fact(Timeout = 60_000)]
    public async Task A_retried_job_reads_its_block_again_and_the_job_log_counts_the_bytes_sent()
    {
        using var cli = new Cli();
        var input = string.Concat(Enumerable.Range(1, 5000).Select(i => $"line {i}\n"));

        // Each job copies its block, then fails the first time it runs.
        var result = await cli.RunWithInputAsync(input, "--pipe", "--block", "10k", "--retries", "1", "--retry-delay", "0", "--joblog", "jobs.tsv",
            "cat > block.{#}; test -e seen.{#} || { touch seen.{#}; exit 1; }");

        Assert.Equal(0, result.ReturnCode);
        var blocks = Directory.GetFiles(cli.Folder, "block.*").OrderBy(f => int.Parse(Path.GetExtension(f)[1..], CultureInfo.InvariantCulture)).ToList();
        Assert.True(blocks.Count >= 4, $"{blocks.Count} blocks");
        Assert.Equal(input, string.Concat(blocks.Select(File.ReadAllText)));
        var sent = File.ReadAllLines(cli.File("jobs.tsv")).Skip(1).Select(l => long.Parse(l.Split('\t')[4], CultureInfo.InvariantCulture));
        Assert.Equal(Encoding.UTF8.GetByteCount(input), sent.Sum());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_job_that_reads_little_or_none_of_its_block_still_succeeds()
    {
        using var cli = new Cli();
        var input = string.Concat(Enumerable.Range(1, 200_000).Select(i => $"{i}\n"));

        var result = await cli.RunWithInputAsync(input, "--pipe", "--block", "256k", "-k", "--quiet", TestChild.Path, "exit", "0");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("", result.StderrText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pipepart_and_pipe_with_a_file_read_the_file_as_pipe_reads_stdin()
    {
        using var cli = new Cli();
        var input = Input();
        await File.WriteAllTextAsync(cli.File("input.txt"), input);

        var fromStdin = await cli.RunWithInputAsync(input, "-k", "--quiet", "--pipe", "--block", "500", "md5sum");
        var pipepart = await cli.RunAsync("-k", "--quiet", "--pipepart", "-a", "input.txt", "--block", "500", "md5sum");
        var pipeFile = await cli.RunAsync("-k", "--quiet", "--pipe", "-a", "input.txt", "--block", "500", "md5sum");

        Assert.Equal(0, fromStdin.ReturnCode);
        Assert.True(fromStdin.StdoutText.Split('\n').Length > 5, fromStdin.StdoutText);
        Assert.Equal(fromStdin.StdoutText, pipepart.StdoutText);
        Assert.Equal(fromStdin.StdoutText, pipeFile.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Empty_input_runs_no_job()
    {
        using var cli = new Cli();

        var result = await cli.RunWithInputAsync("", "--pipe", "wc", "-l");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("", result.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pipe_options_out_of_place_are_usage_errors_naming_the_option()
    {
        using var cli = new Cli();

        var blockAlone = await cli.RunWithInputAsync("a\n", "--block", "1M", "wc", "-l");
        var withSources = await cli.RunWithInputAsync("a\n", "--pipe", "wc", "-l", ":::", "x");
        var withResume = await cli.RunWithInputAsync("a\n", "--pipe", "--joblog", "j.tsv", "--resume", "wc", "-l");
        var withNull = await cli.RunWithInputAsync("a\n", "--pipe", "-0", "wc", "-l");
        var noCommand = await cli.RunWithInputAsync("a\n", "--pipe");
        var badBlock = await cli.RunWithInputAsync("a\n", "--pipe", "--block", "lots", "wc");
        var onSlurm = await cli.RunWithInputAsync("a\n", "--pipe", "--backend", "slurm", "wc");
        var pipepartWithoutFile = await cli.RunWithInputAsync("a\n", "--pipepart", "wc");
        var missingFile = await cli.RunAsync("--pipe", "-a", "no-such-input.txt", "wc");
        var linesAndRecend = await cli.RunWithInputAsync("a\n", "--pipe", "-L", "2", "--recend", "x", "wc");

        Assert.All(new[] { blockAlone, withSources, withResume, withNull, noCommand, badBlock, onSlurm, pipepartWithoutFile, missingFile, linesAndRecend }, r => Assert.Equal(255, r.ReturnCode));
        Assert.Contains("--pipe", blockAlone.StderrText, StringComparison.Ordinal);
        Assert.Contains(":::", withSources.StderrText, StringComparison.Ordinal);
        Assert.Contains("--resume", withResume.StderrText, StringComparison.Ordinal);
        Assert.Contains("--recend", withNull.StderrText, StringComparison.Ordinal);
        Assert.Contains("no command", noCommand.StderrText, StringComparison.Ordinal);
        Assert.Contains("lots", badBlock.StderrText, StringComparison.Ordinal);
        Assert.Contains("Slurm", onSlurm.StderrText, StringComparison.Ordinal);
        Assert.Contains("-a FILE", pipepartWithoutFile.StderrText, StringComparison.Ordinal);
        Assert.Contains("no-such-input.txt", missingFile.StderrText, StringComparison.Ordinal);
        Assert.Contains("-L", linesAndRecend.StderrText, StringComparison.Ordinal);
    }
}
