using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary><c>-d</c>, <c>-E</c> and <c>-r</c> on values read from files, where a delimiter may straddle two reads.</summary>
public sealed class DelimitedInputSpecs
{
    private static List<string> Values(string text, TemplateInputOptions options)
    {
        var input = TemplateInput.Parse(["echo", "::::", "f"], _ => new StringReader(text), options);
        return [.. input.Arguments().Select(values => values[0])];
    }

    [Theory(Timeout = 30_000)]
    [InlineData("<=>")]
    [InlineData("\n")]
    [InlineData("ab")]
    public async Task Records_come_whole_whatever_their_length_and_wherever_the_reads_cut(string delimiter)
    {
        await Task.Yield();
        // Lengths around the reader's 16 KiB window, and one far beyond it, so delimiters fall on every edge.
        var random = new Random(5);
        var records = Enumerable.Range(0, 300)
            .Select(i => new string((char)('A' + (i % 20)), i == 150 ? 70_000 : random.Next(0, 300) + (i % 7 == 0 ? 16_380 : 0)))
            .ToList();
        var text = string.Join(delimiter, records);

        var values = Values(text, new TemplateInputOptions { Delimiter = delimiter });
        var valuesWithTrailingDelimiter = Values(text + delimiter, new TemplateInputOptions { Delimiter = delimiter });

        // An empty record at the very end is no record, as with Perl's readline.
        var expected = records[^1].Length == 0 ? records[..^1] : records;
        Assert.Equal(expected, values);
        Assert.Equal(records, valuesWithTrailingDelimiter);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_delimiter_that_overlaps_itself_cuts_at_its_first_whole_occurrence()
    {
        await Task.Yield();

        Assert.Equal(["a", ":b", "", "c"], Values("a:::b::::c", new TemplateInputOptions { Delimiter = "::" }));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_end_of_input_value_and_blank_values_are_left_out()
    {
        await Task.Yield();
        var options = new TemplateInputOptions { EndOfInput = "END", SkipBlankValues = true };

        Assert.Equal(["a", "b"], Values("a\n \n\t\r\nb\n\nEND\nc\n", options));
        Assert.Equal(["a", " END"], Values("a\n END\n", options));
    }
}
