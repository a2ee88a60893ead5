using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>
/// <c>--colsep</c> and <c>--trim</c>, differentially: for the same separator, template and input,
/// Fanout renders the command lines the real GNU parallel renders (its <c>--dry-run</c>).
/// </summary>
public sealed class ColumnSpecs : ProcessTestBase
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fanout-columns-").FullName;

    public static TheoryData<string[]> Cases => new()
    {
        // A sample sheet: tabs, a column with a space, padding, an empty line, a short line.
        { ["--colsep", "\\t", "echo", "[{1}]", "[{2}]", "[{3}]", "::::", "sheet"] },
        { ["--colsep", "\\t", "echo", "{}", "::::", "sheet"] },
        { ["--colsep", "\\t", "echo", "::::", "sheet"] },
        { ["--colsep", "\\t", "echo", "{-1}", "{2/}", "{1.}", "{#}", "::::", "sheet"] },
        { ["--colsep", "\\t", "--trim", "n", "echo", "{1}", "{2}", "::::", "sheet"] },
        { ["--colsep", "\\t", "--trim", "r", "echo", "{2}", "{3}", "::::", "sheet"] },
        // Columns numbered on across sources, crossed and linked; literal values split too.
        { ["--colsep", ",", "echo", "{1}/{2}/{3}/{4}", ":::", "a,b", "c", ":::", "1,2"] },
        { ["--colsep", ",", "echo", "{1}/{2}/{3}", ":::", "a,b", "c,d", ":::+", "1", "2"] },
        // Empty and trailing columns are kept; captured separators are columns of their own.
        { ["--colsep", ",", "echo", "{}", ":::", "a,b,,", "a,,b", ",", ""] },
        { ["--colsep", "(,)", "echo", "{}", ":::", "a,b"] },
        { ["--colsep", "\\s+", "echo", "{2}:{1}", ":::", "x  y\tz", " lead"] },
        // Trimming whole values, without columns.
        { ["--trim", "lr", "echo", "{}", ":::", " a ", "\tb\t"] },
        { ["--trim", "l", "echo", "{}", ":::", " a "] },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task Columns_render_as_GNU_parallel_renders_them(string[] words)
    {
        File.WriteAllText(Path.Combine(_dir, "sheet"), "s01\tr 1.fq\t r2.fq.gz \nx\ty\n\nonly\n\ttabbed\t\n");
        var (options, rest) = SplitOptions(words);

        var gnu = await GnuParallel.DryRunAsync([.. words.Take(words.Length - rest.Length), .. Paths(rest)]);
        var fanout = GnuParallel.FanoutDryRun(Paths(rest), columns: options);

        GnuParallel.AssertSameLines(gnu, fanout, GnuParallel.Describe(words));
    }

    public static TheoryData<string[]> HeaderCases => new()
    {
        { ["--header", ":", "--colsep", "\\t", "echo", "{sample}", "{r2}", "{1}", "::::", "headed"] },
        { ["--header", ":", "--colsep", "\\t", "echo", "{sample.}", "{r1/}", "{r1.}", "{r1//}", "{r1/.}", "::::", "headed"] },
        { ["--header", ":", "--colsep", "\\t", "echo", "::::", "headed"] },
        { ["--header", ":", "--colsep", "\\t", "echo", "{nosuch}", "::::", "headed"] },
        { ["--header", ":", "echo", "{colour}", "{size}", "{1}", ":::", "colour", "red", "green", ":::", "size", "S", "M"] },
        { ["--header", ":", "echo", "{colour}", "{size}", ":::", "colour", "red", "green", ":::+", "size", "S", "M"] },
        { ["--header", ":", "echo", "{}", ":::", "colour", "red", "green"] },
        { ["--header", ":", "--colsep", ",", "echo", "{b}", "{c}", "{a}", ":::", "a,b", "1,2", ":::", "c", "3"] },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(HeaderCases))]
    public async Task Header_names_render_as_GNU_parallel_renders_them(string[] words)
    {
        File.WriteAllText(Path.Combine(_dir, "headed"), "sample\tr1\tr2\ns01\tdir/a.fq.gz\tb.fq\ns 02\tc.fq\t'd'.fq\n");
        using var cli = new Cli();

        var gnu = await GnuParallel.DryRunAsync(Paths(words));
        var ours = await cli.RunAsync(["-k", "--dry-run", .. Paths(words)]);

        Assert.Equal(0, ours.ReturnCode);
        Assert.Equal(gnu, ours.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Random_sheets_split_as_GNU_parallel_splits_them()
    {
        var random = new Random(GnuParallel.Seed);
        string[] separators = ["\\t", ",", ";", "\\s+", "\\|", ":+"];
        string[][] templates = [["echo", "{1}", "{2}", "{3}"], ["echo", "{}"], ["echo"], ["printf", "%s|", "{-1}", "{2.}", "{1/}"], ["X={2}", "echo", "\"{1}\"", "'{3}'"]];
        var cases = new List<(string[] Words, InputColumns Columns)>();
        for (var n = 0; n < 12; n++)
        {
            var separator = separators[random.Next(separators.Length)];
            var join = separator switch { "\\t" => "\t", "\\s+" => " ", "\\|" => "|", ":+" => "::", var other => other };
            var rows = Enumerable.Range(0, 12).Select(_ => string.Join(join, Enumerable.Range(0, random.Next(1, 5)).Select(_ => GnuParallel.Value(random))));
            var file = Path.Combine(_dir, $"sheet{n}");
            File.WriteAllText(file, string.Concat(rows.Select(r => r + "\n")), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            string[] trims = [.. random.Next(3) == 0 ? new[] { "--trim", random.Next(2) == 0 ? "n" : "r" } : []];
            cases.Add(([.. trims, "--colsep", separator, .. templates[n % templates.Length], "::::", file],
                InputColumns.Create(separator, trims.Length > 0 ? trims[1] : null)));
        }

        foreach (var (words, columns) in cases)
        {
            var (_, rest) = SplitOptions(words);
            var gnu = await GnuParallel.DryRunAsync(words);
            GnuParallel.AssertSameLines(gnu, GnuParallel.FanoutDryRun(rest, columns: columns), GnuParallel.Describe(words));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_command_line_splits_a_sample_sheet_and_runs_a_job_per_row()
    {
        using var cli = new Cli();
        File.WriteAllText(cli.File("sheet.tsv"), "s01\treads 1.fq\tr2.fq\ns02\tx.fq\n");

        var result = await cli.RunAsync("-k", "--quiet", "-C", "\\t", TestChild.Path, "args", "{1}", "{2}", "{3}", "::::", "sheet.tsv");

        Assert.Equal(0, result.ReturnCode);
        // The second row has no third column: {3} renders as nothing, as in GNU parallel, so that job gets two arguments.
        Assert.Equal("s01\nreads 1.fq\nr2.fq\ns02\nx.fq\n", result.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_separator_or_trim_is_a_usage_error_naming_the_option()
    {
        using var cli = new Cli();

        var unmatched = await cli.RunAsync("--colsep", "[", "echo", ":::", "a");
        var header = await cli.RunAsync("--header", ".*", "echo", ":::", "a");
        var empty = await cli.RunAsync("--colsep", "x*", "echo", ":::", "a");
        var trim = await cli.RunAsync("--trim", "middle", "echo", ":::", "a");
        var manifest = await cli.RunAsync("--colsep", ",", "batch.yaml");

        Assert.All(new[] { unmatched, header, empty, trim, manifest }, r => Assert.Equal(255, r.ReturnCode));
        Assert.Contains("--colsep '[' is not a valid regular expression", unmatched.StderrText, StringComparison.Ordinal);
        Assert.Contains("--colsep 'x*' matches the empty string", empty.StderrText, StringComparison.Ordinal);
        Assert.Contains("--trim 'middle'", trim.StderrText, StringComparison.Ordinal);
        Assert.Contains("--header '.*'", header.StderrText, StringComparison.Ordinal);
        Assert.Contains("not to a manifest", manifest.StderrText, StringComparison.Ordinal);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Directory.Delete(_dir, recursive: true);
        base.Dispose(disposing);
    }

    /// <summary>The leading --colsep/--trim options as Fanout's splitter, and the words after them.</summary>
    private static (InputColumns Columns, string[] Remaining) SplitOptions(string[] words)
    {
        string? separator = null;
        string? trim = null;
        var i = 0;
        for (; i + 1 < words.Length && words[i] is "--colsep" or "--trim"; i += 2)
        {
            if (words[i] == "--colsep")
                separator = words[i + 1];
            else
                trim = words[i + 1];
        }

        return (InputColumns.Create(separator, trim), words[i..]);
    }

    private string[] Paths(string[] words) =>
        [.. words.Select((w, i) => i > 0 && words[i - 1] == "::::" ? Path.Combine(_dir, w) : w)];
}
