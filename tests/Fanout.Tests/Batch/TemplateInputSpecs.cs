using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>How the words of <c>fanout run</c> split into a template and input sources, and how the sources expand.</summary>
public sealed class TemplateInputSpecs : ProcessTestBase
{
    private static Func<string, TextReader> Files(Dictionary<string, string> files) =>
        name => files.TryGetValue(name, out var text) ? new StringReader(text) : throw new FileNotFoundException(name);

    private static string[] Jobs(TemplateInput input) => [.. input.Arguments().Select(a => string.Join("|", a))];

    [Fact(Timeout = 10_000)]
    public async Task The_words_before_the_first_marker_are_the_command_template()
    {
        await Task.Yield();

        var input = TemplateInput.Parse(["gzip", "-9", "{}", ":::", "a", "b"]);

        Assert.Equal(["gzip", "-9", "{}"], input.CommandWords);
        Assert.True(input.HasSources);
        Assert.Equal(1, input.SourceCount);
        Assert.Equal(["a", "b"], Jobs(input));
    }

    [Fact(Timeout = 10_000)]
    public async Task Several_sources_are_crossed_with_the_first_varying_slowest()
    {
        await Task.Yield();

        var input = TemplateInput.Parse(["echo", ":::", "a", "b", ":::", "1", "2", ":::", "x"]);

        Assert.Equal(["a|1|x", "a|2|x", "b|1|x", "b|2|x"], Jobs(input));
    }

    [Fact(Timeout = 10_000)]
    public async Task Linking_every_source_pairs_them_and_the_shorter_ones_start_over()
    {
        await Task.Yield();
        var files = Files(new() { ["empty"] = "", ["two"] = "p\nq\n" });

        var linked = TemplateInput.Parse(["echo", ":::", "a", "b", "c", ":::", "1", "2", "::::", "two"], files).WithLinkedSources();
        var withEmpty = TemplateInput.Parse(["echo", ":::", "a", "b", "::::", "empty"], files).WithLinkedSources();
        var allEmpty = TemplateInput.Parse(["echo", "::::", "empty", "::::", "empty"], files).WithLinkedSources();
        var grouped = TemplateInput.Parse(["echo", ":::", "a", "b", "c", ":::", "1", "2"]).WithLinkedSources().WithArgumentsPerJob(2);

        Assert.Equal(["a|1|p", "b|2|q", "c|1|p"], Jobs(linked));
        Assert.Equal(["a|", "b|"], Jobs(withEmpty));
        Assert.Empty(Jobs(allEmpty));
        Assert.Equal(["a|1|b|2", "c|1"], Jobs(grouped));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_linked_source_is_paired_with_the_previous_one_up_to_the_shorter()
    {
        await Task.Yield();

        var linked = TemplateInput.Parse([":::", "a", "b", "c", ":::+", "1", "2"]);
        var mixed = TemplateInput.Parse([":::", "x", "y", ":::", "a", "b", ":::+", "1", "2"]);

        Assert.Equal(["a|1", "b|2"], Jobs(linked));
        Assert.Equal(["x|a|1", "x|b|2", "y|a|1", "y|b|2"], Jobs(mixed));
    }

    [Fact(Timeout = 10_000)]
    public async Task Each_file_is_a_source_of_lines_split_at_newlines_only()
    {
        await Task.Yield();
        var files = Files(new() { ["f1"] = "l1\r\n\nl3", ["f2"] = "m1\nm2\n", ["empty"] = "" });

        Assert.Equal(["l1\r|m1", "l1\r|m2", "|m1", "|m2", "l3|m1", "l3|m2"], Jobs(TemplateInput.Parse(["::::", "f1", "f2"], files)));
        Assert.Equal(["a|l1\r|m1", "b||m2"], Jobs(TemplateInput.Parse([":::", "a", "b", "c", "::::+", "f1", "f2"], files)));
    }

    [Fact(Timeout = 10_000)]
    public async Task An_empty_file_counts_as_one_empty_value_unless_every_source_is_empty()
    {
        await Task.Yield();
        var files = Files(new() { ["empty"] = "", ["f"] = "1\n2\n" });

        Assert.Equal(["a|", "b|"], Jobs(TemplateInput.Parse([":::", "a", "b", "::::", "empty"], files)));
        Assert.Equal(["a|"], Jobs(TemplateInput.Parse([":::", "a", "b", "::::+", "empty"], files)));
        Assert.Equal(["|1", "|2"], Jobs(TemplateInput.Parse(["::::", "empty", "f"], files)));
        Assert.Empty(Jobs(TemplateInput.Parse(["::::", "empty", "::::+", "empty"], files)));
    }

    [Fact(Timeout = 10_000)]
    public async Task Real_files_are_read_and_a_dash_reads_standard_input()
    {
        await Task.Yield();
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "one\ntwo\n");
            var stdin = new StringReader("in1\nin2\n");

            var input = TemplateInput.Parse(["::::", path, "::::", "-"], name => name == "-" ? stdin : File.OpenText(name));

            Assert.Equal(["one|in1", "one|in2", "two|in1", "two|in2"], Jobs(input));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Without_a_marker_there_is_no_source_until_standard_input_is_asked_for()
    {
        await Task.Yield();

        var input = TemplateInput.Parse(["echo", "{}"]);
        var fromStdin = input.OrStandardInput(_ => new StringReader("a\nb"));

        Assert.False(input.HasSources);
        Assert.Empty(input.Arguments());
        Assert.Equal(["a", "b"], Jobs(fromStdin));
        Assert.Equal(["echo", "{}"], fromStdin.CommandWords);
    }

    [Fact(Timeout = 10_000)]
    public async Task Expansion_is_lazy_so_an_endless_input_yields_jobs_at_once()
    {
        await Task.Yield();
        var reads = 0;

        var input = TemplateInput.Parse([":::", "a", "b", "::::", "-"], _ => new EndlessReader(() => reads++));
        var first = input.Arguments().Take(3).Select(a => string.Join("|", a)).ToArray();

        Assert.Equal(["a|line1", "a|line2", "a|line3"], first);
        Assert.True(reads < 10, $"{reads} chunks read ahead");
    }

    [Fact(Timeout = 10_000)]
    public async Task An_inner_file_is_read_again_for_each_outer_value_rather_than_kept()
    {
        await Task.Yield();
        var opened = 0;

        var input = TemplateInput.Parse([":::", "a", "b", "c", "::::", "f"], _ => { opened++; return new StringReader("1\n2\n"); });
        var jobs = Jobs(input);

        Assert.Equal(["a|1", "a|2", "b|1", "b|2", "c|1", "c|2"], jobs);
        Assert.Equal(1 + 3, opened); // once to check it at parse, once per outer value
    }

    [Fact(Timeout = 10_000)]
    public async Task Standard_input_as_an_inner_source_is_read_once_and_replayed()
    {
        await Task.Yield();
        var opened = 0;

        var input = TemplateInput.Parse([":::", "a", "b", "::::", "-"], _ => { opened++; return new StringReader("1\n2\n"); });

        Assert.Equal(["a|1", "a|2", "b|1", "b|2"], Jobs(input));
        Assert.Equal(1, opened);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_million_lines_stream_through_without_being_kept()
    {
        await Task.Yield();
        const int lines = 1_000_000;
        var template = CommandTemplate.Parse(["process", "{}", "{#}"]);
        var input = TemplateInput.Parse(["::::", "big"], _ => new EndlessReader(() => { }, lines));

        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long count = 0, maxAlive = 0;
        foreach (var values in input.Arguments())
        {
            var line = template.Render(values, ++count, 1);
            if (count % 200_000 == 0)
                maxAlive = Math.Max(maxAlive, GC.GetTotalMemory(forceFullCollection: false) - before);
            Assert.StartsWith("process line", line, StringComparison.Ordinal);
        }

        Assert.Equal(lines, count);
        Assert.True(maxAlive < 64_000_000, $"{maxAlive} bytes alive while streaming");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_marker_without_values_is_an_error_naming_it()
    {
        await Task.Yield();

        var empty = Assert.Throws<TemplateException>(() => TemplateInput.Parse(["echo", ":::", ":::", "a"]));
        var atEnd = Assert.Throws<TemplateException>(() => TemplateInput.Parse(["echo", ":::", "a", "::::"]));

        Assert.Equal(":::", empty.Word);
        Assert.Contains("followed by no value before the next ':::'", empty.Message, StringComparison.Ordinal);
        Assert.Contains("'::::'", atEnd.Message, StringComparison.Ordinal);
        Assert.Contains("the end of the command line", atEnd.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_missing_or_unreadable_input_file_is_an_error_naming_it()
    {
        await Task.Yield();
        var dir = Directory.CreateTempSubdirectory("fanout-templates-").FullName;
        try
        {
            var missing = Path.Combine(dir, "no such file.txt");

            var notFound = Assert.Throws<TemplateException>(() => TemplateInput.Parse(["cat", "::::", missing]));
            var directory = Assert.Throws<TemplateException>(() => TemplateInput.Parse(["cat", ":::", "a", "::::+", dir]));

            Assert.Equal(missing, notFound.Word);
            Assert.Contains($"'{missing}' (after '::::'): no such file", notFound.Message, StringComparison.Ordinal);
            Assert.Contains("it is a directory", directory.Message, StringComparison.Ordinal);
            Assert.Contains("'' (after '::::'): not a valid file name", Assert.Throws<TemplateException>(() => TemplateInput.Parse(["::::", ""])).Message, StringComparison.Ordinal);
            Assert.IsAssignableFrom<FanoutException>(notFound);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Standard_input_named_twice_is_an_error()
    {
        await Task.Yield();

        var error = Assert.Throws<TemplateException>(() => TemplateInput.Parse(["cat", "::::", "-", "::::+", "-"], _ => new StringReader("")));

        Assert.Equal("-", error.Word);
        Assert.Contains("only once", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Lines "line1", "line2"… without end (or up to a count), produced as they are read.</summary>
    private sealed class EndlessReader(Action onChunk, long limit = long.MaxValue) : TextReader
    {
        private long _next = 1;
        private string _pending = "";

        public override int Read(char[] buffer, int index, int count)
        {
            if (_pending.Length == 0)
            {
                if (_next > limit)
                    return 0;
                onChunk();
                var chunk = new StringBuilder();
                for (var i = 0; i < 100 && _next <= limit; i++)
                    chunk.Append("line").Append(_next++).Append('\n');
                _pending = chunk.ToString();
            }

            var n = Math.Min(count, _pending.Length);
            _pending.CopyTo(0, buffer, index, n);
            _pending = _pending[n..];
            return n;
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Arguments_per_job_join_consecutive_combinations_and_the_last_job_takes_the_rest()
    {
        await Task.Yield();

        var input = TemplateInput.Parse(["echo", ":::", "a", "b", "c", ":::", "1", "2"]);

        Assert.Equal(["a|1|a|2|b|1", "b|2|c|1|c|2"], Jobs(input.WithArgumentsPerJob(3)));
        Assert.Equal(["a|1|a|2|b|1|b|2", "c|1|c|2"], Jobs(input.WithArgumentsPerJob(4)));
        Assert.Equal(["", "", "", "", "", ""], Jobs(input.WithArgumentsPerJob(0)));
        Assert.Equal(6, input.WithArgumentsPerJob(3).ValuesPerJob);
        Assert.Equal(2, input.ValuesPerJob);
        Assert.Throws<ArgumentOutOfRangeException>(() => input.WithArgumentsPerJob(-1));
    }

    [Fact(Timeout = 10_000)]
    public async Task Arguments_per_job_are_grouped_lazily_from_an_endless_source()
    {
        await Task.Yield();
        var input = TemplateInput.Parse(["echo", "::::", "endless"], _ => new EndlessLines()).WithArgumentsPerJob(10);

        var first = input.Arguments().Take(2).ToList();

        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], first[0]);
        Assert.Equal("19", first[1][^1]);
    }

    /// <summary>The lines 0, 1, 2… without end, as a pipe that never closes would give them.</summary>
    private sealed class EndlessLines : TextReader
    {
        private long _next;
        private string _pending = "";

        public override int Read(char[] buffer, int index, int count)
        {
            if (_pending.Length == 0)
                _pending = (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n";
            var n = Math.Min(count, _pending.Length);
            _pending.CopyTo(0, buffer, index, n);
            _pending = _pending[n..];
            return n;
        }
    }
}
