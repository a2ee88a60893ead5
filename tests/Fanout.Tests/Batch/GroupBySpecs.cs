using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary><c>--pipe --group-by</c> and <see cref="InputBlocks.GroupBy"/>: records that are runs of lines with the same value in one column.</summary>
public sealed class GroupBySpecs : ProcessTestBase
{
    /// <summary>A sorted table: groups of 1 to 40 lines, and a key that comes back after another, which is a new group.</summary>
    private static string Table(char separator)
    {
        var random = new Random(GnuParallel.Seed);
        var lines = new StringBuilder();
        foreach (var key in new[] { "s1", "s2", "s3", "s10", "s2", "x y", "s4", "" }.Concat(Enumerable.Range(0, 30).Select(i => $"k{i}")))
        {
            for (var i = random.Next(1, 40); i > 0; i--)
                lines.Append(key).Append(separator).Append(random.Next(1000)).Append(separator).Append("v w").Append('\n');
        }

        return lines.ToString();
    }

    public static TheoryData<string, string[]> Cuts() => new()
    {
        { "\t", ["-N", "1"] },
        { "\t", ["-N", "3"] },
        { "\t", ["--block", "100"] },
        { "\t", ["--block", "1k"] },
        { "\t", [] },
        { ",", ["--colsep", ",", "-N", "1"] },
        { ",", ["--colsep", ",", "--block", "300"] },
        { ",", ["--colsep", ",", "-N", "2", "-j", "1"] },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cuts))]
    public async Task Groups_are_cut_where_GNU_parallel_cuts_them(string separator, string[] options)
    {
        using var cli = new Cli();
        var input = Encoding.UTF8.GetBytes(Table(separator[0]));
        string[] words = ["--pipe", "--group-by", "1", .. options, "echo \"<{#}>\"; cat"];

        await cli.AssertPrintsWhatGnuParallelPrintsAsync(words, input);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_named_column_is_found_in_the_header_which_every_block_starts_with()
    {
        using var cli = new Cli();
        const string Input = "name,sample\nr1,a\nr2,a\nr3,b\nr4,c\nr5,c\n";

        var result = await cli.RunWithInputAsync(Input, "--quiet", "-k", "--pipe", "--header", ":", "--colsep", ",", "--group-by", "sample", "-N", "1", "echo \"<{#}>\"; cat");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("<1>\nname,sample\nr1,a\nr2,a\n<2>\nname,sample\nr3,b\n<3>\nname,sample\nr4,c\nr5,c\n", result.StdoutText);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--pipe --group-by sample cat", "together with --header :")]
    [InlineData("--pipe --group-by 0 cat", "numbered from 1")]
    [InlineData("--pipe --group-by 1 -L 2 cat", "do not apply")]
    [InlineData("--group-by 1 cat ::: a", "give --pipe too")]
    [InlineData("--pipe --group-by 1 --rrs cat", "--rrs does not apply")]
    public async Task A_group_by_that_cannot_work_is_a_usage_error(string line, string message)
    {
        using var cli = new Cli();

        await cli.AssertUsageErrorAsync(line, message);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_column_name_missing_from_the_header_is_named_in_the_error()
    {
        using var cli = new Cli();

        var result = await cli.RunWithInputAsync("a,b\n1,2\n", "--quiet", "--pipe", "--header", ":", "--colsep", ",", "--group-by", "sample", "cat");

        Assert.NotEqual(0, result.ReturnCode);
        Assert.Contains("'sample'", result.StderrText, StringComparison.Ordinal);
        Assert.Contains("'a', 'b'", result.StderrText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_groups_a_stream_and_refuses_other_record_settings()
    {
        var blocks = new InputBlocks { GroupBy = LineColumn.At(2, ";"), RecordsPerBlock = 1 };
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("1;a\n2;a\n3;b\n4;a"));

        var cut = blocks.Read(input).Select(b => Encoding.UTF8.GetString(b.Span)).ToList();

        Assert.Equal(["1;a\n2;a\n", "3;b\n", "4;a"], cut);
        Assert.Throws<ArgumentException>(() => (blocks with { LinesPerRecord = 2 }).Read(new MemoryStream()));
    }
}
