using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fanout.Tests.Batch;

/// <summary><c>--results out.csv</c>, <c>.tsv</c>, <c>.json</c> and <c>-.csv</c>: one table of every job, as GNU parallel writes it.</summary>
public sealed partial class ResultsTableSpecs : ProcessTestBase
{
    private static readonly string[] Command = ["-k", "-j1", "echo {1} {2}; echo err >&2; exit {3}", ":::", "a", "b,\"c", "d e", "f\tg", ":::", "x", ":::", "0", "3"];

    // Host, start time and runtime differ between any two runs: the columns are compared as placeholders.
    [GeneratedRegex(@"^(\d+)([,\t])[^,\t]*[,\t][0-9.]+[,\t][0-9.]+", RegexOptions.Multiline)]
    private static partial Regex HostAndTimes();

    private static string WithoutHostAndTimes(string table) => HostAndTimes().Replace(table, "$1$2H$2T$2R");

    [Theory(Timeout = 60_000)]
    [InlineData("csv")]
    [InlineData("tsv")]
    public async Task A_csv_or_tsv_table_holds_what_GNU_parallel_writes(string extension)
    {
        using var cli = new Cli();
        var ours = cli.File("ours." + extension);
        var theirs = cli.File("theirs." + extension);

        var run = await cli.RunAsync(["--quiet", "--results", ours, .. Command]);
        await GnuParallel.Spec(["--results", theirs, .. Command]).WithWorkingDirectory(cli.Folder).RunAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(4, run.ReturnCode); // the jobs that exit 3 failed
        Assert.Equal(WithoutHostAndTimes(File.ReadAllText(theirs)), WithoutHostAndTimes(File.ReadAllText(ours)));
        Assert.Contains("err", run.StdoutText + run.StderrText, StringComparison.Ordinal); // the output is still printed
    }

    [Fact(Timeout = 60_000)]
    public async Task A_json_table_has_GNU_parallels_fields_one_object_per_line()
    {
        using var cli = new Cli();
        var ours = cli.File("ours.json");
        var theirs = cli.File("theirs.json");

        await cli.RunAsync(["--quiet", "--results", ours, .. Command]);
        await GnuParallel.Spec(["--results", theirs, .. Command]).WithWorkingDirectory(cli.Folder).RunAsync(TimeSpan.FromSeconds(60));

        var ourRows = File.ReadAllLines(ours).Select(Comparable).ToList();
        var theirRows = File.ReadAllLines(theirs).Select(Comparable).ToList();
        Assert.Equal(8, ourRows.Count);
        Assert.Equal(theirRows, ourRows);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_table_on_stdout_replaces_the_jobs_output()
    {
        using var cli = new Cli();

        var ours = await cli.RunAsync(["--quiet", "--results", "-.csv", .. Command]);
        var theirs = await GnuParallel.Spec(["--results", "-.csv", .. Command]).WithWorkingDirectory(cli.Folder).RunAsync(TimeSpan.FromSeconds(60));

        Assert.StartsWith("Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,V2,V3,Stdout,Stderr\n", ours.StdoutText, StringComparison.Ordinal);
        Assert.Equal(WithoutHostAndTimes(theirs.StdoutText), WithoutHostAndTimes(ours.StdoutText));
        // Only the summary quotes the failed jobs' stderr; the jobs' output itself is not printed.
        Assert.DoesNotContain("\nerr\n", "\n" + ours.StderrText, StringComparison.Ordinal);
        Assert.Contains("| err", ours.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_table_that_cannot_be_created_or_would_mix_with_json_is_an_error_naming_it()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--results", "no-such-folder/out.csv", "echo", ":::", "a");
        var withJson = await cli.RunAsync("--results", "-.json", "--json", "echo", ":::", "a");

        Assert.Equal(255, result.ReturnCode);
        Assert.Contains("no-such-folder/out.csv", result.StderrText, StringComparison.Ordinal);
        Assert.Equal(255, withJson.ReturnCode);
        Assert.Contains("--results -.json", withJson.StderrText, StringComparison.Ordinal);
    }

    /// <summary>A JSON row with the host and times left out, its other fields in order, as text (escapes decoded).</summary>
    private static string Comparable(string line)
    {
        using var row = JsonDocument.Parse(line);
        return string.Join("|", row.RootElement.EnumerateObject()
            .Where(p => p.Name is not ("Host" or "Starttime" or "JobRuntime"))
            .Select(p => p.Name + "=" + Text(p.Value)));
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonSerializer.Serialize(value.GetString()),
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Text)) + "]",
        _ => value.GetRawText(),
    };
}
