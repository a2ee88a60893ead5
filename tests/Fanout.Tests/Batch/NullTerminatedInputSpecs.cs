using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary><c>-0</c>: values and command lines that end with NUL, so a file name may hold a newline.</summary>
public sealed class NullTerminatedInputSpecs : ProcessTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task NUL_terminated_files_read_as_GNU_parallel_reads_them()
    {
        using var cli = new Cli();
        var random = new Random(GnuParallel.Seed);
        string[] values = [.. GnuParallel.EdgeValues, .. GnuParallel.NewlineValues, .. Enumerable.Range(0, 40).Select(_ => GnuParallel.Value(random, newlines: true))];
        // The last value has no terminator: it still counts.
        var file = cli.File("values");
        File.WriteAllText(file, string.Join('\0', values), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        string[] words = ["echo", "{}", "{/.}", "{#}", "::::", file, ":::", "x", "y z"];

        var gnu = await GnuParallel.DryRunAsync(["-0", .. words]);
        var input = TemplateInput.Parse(words, options: new TemplateInputOptions { Delimiter = "\0" });
        var template = CommandTemplate.Parse(input.CommandWords);
        long sequence = 0;
        var fanout = input.Arguments().Select(v => template.Render(v, ++sequence, slot: 1) + "\n").ToList();

        Assert.Equal(values.Length * 2, fanout.Count);
        GnuParallel.AssertSameLines(gnu, fanout, GnuParallel.Describe(words));
    }

    [Fact(Timeout = 60_000)]
    public async Task Command_lines_on_stdin_may_end_with_NUL_and_hold_newlines()
    {
        using var cli = new Cli();

        var result = await cli.RunWithInputAsync("echo one\0printf '%s|' \"two\nlines\"\0", "-0", "-k", "--quiet");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("one\ntwo\nlines|", result.StdoutText);
    }
}
