using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>What a command template renders, on its own; <see cref="ParallelEquivalenceSpecs"/> checks the same against GNU parallel.</summary>
public sealed class TemplateSpecs : ProcessTestBase
{
    private static string Render(string[] template, params string[] values) =>
        CommandTemplate.Parse(template).Render(values, sequence: 7, slot: 2);

    [Fact(Timeout = 10_000)]
    public async Task A_value_is_put_in_place_of_the_braces_and_quoted_only_when_needed()
    {
        await Task.Yield();

        Assert.Equal("gzip -9 a/b.txt", Render(["gzip", "-9", "{}"], "a/b.txt"));
        Assert.Equal("gzip -9 'my file.txt'", Render(["gzip", "-9", "{}"], "my file.txt"));
        Assert.Equal("echo ''", Render(["echo", "{}"], ""));
    }

    [Fact(Timeout = 10_000)]
    public async Task Values_that_look_like_shell_code_stay_single_quoted_text()
    {
        await Task.Yield();

        Assert.Equal("rm '$(reboot)'", Render(["rm", "{}"], "$(reboot)"));
        Assert.Equal("rm 'a;b' '`id`' '*'", Render(["rm", "{1}", "{2}", "{3}"], "a;b", "`id`", "*"));
        Assert.Equal("cat 'it'\"'\"'s'", Render(["cat", "{}"], "it's"));
        Assert.Equal("cat \"'\"", Render(["cat", "{}"], "'"));
        Assert.Equal("cat 'a\nb'", Render(["cat", "{}"], "a\nb"));
        Assert.Equal("cat -n", Render(["cat", "{}"], "-n"));
    }

    [Fact(Timeout = 10_000)]
    public async Task The_template_words_are_shell_code_joined_with_spaces_as_written()
    {
        await Task.Yield();

        Assert.Equal("sort 'b c' | uniq -c > out.txt", Render(["sort {} | uniq -c", ">", "out.txt"], "b c"));
        Assert.Equal("echo  x", Render(["echo", "", "{}"], "x"));
    }

    [Fact(Timeout = 10_000)]
    public async Task The_path_replacement_strings_edit_the_value_before_quoting()
    {
        await Task.Yield();

        var template = CommandTemplate.Parse(["echo", "{}", "{.}", "{/}", "{//}", "{/.}"]);

        Assert.Equal("echo a/b.c/d.tar.gz a/b.c/d.tar d.tar.gz a/b.c d.tar", template.Render(["a/b.c/d.tar.gz"], 1, 1));
        Assert.Equal("echo 'my dir/x.y' 'my dir/x' x.y 'my dir' x", template.Render(["my dir/x.y"], 1, 1));
        Assert.Equal("echo plain plain plain . plain", template.Render(["plain"], 1, 1));
        Assert.Equal("echo .bashrc '' .bashrc . ''", template.Render([".bashrc"], 1, 1));
        Assert.Equal("echo a/ a/ '' . ''", template.Render(["a/"], 1, 1));
    }

    [Fact(Timeout = 10_000)]
    public async Task Positional_replacement_strings_pick_one_source_counting_from_either_end()
    {
        await Task.Yield();

        var template = CommandTemplate.Parse(["cp", "{1}", "{2//}/{-1/.}.bak", "{1 }"]);

        Assert.Equal("cp x.txt dir/sub/y.bak x.txt", template.Render(["x.txt", "dir/sub/y.z"], 1, 1));
        Assert.Equal(2, template.RequiredSourceCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_sequence_number_and_the_job_slot_are_inserted_as_numbers()
    {
        await Task.Yield();

        Assert.Equal("run --seq 12345678901 --slot 3 x", CommandTemplate.Parse(["run", "--seq", "{#}", "--slot", "{%}", "{}"]).Render(["x"], 12345678901, 3));
    }

    [Fact(Timeout = 10_000)]
    public async Task Braces_with_several_sources_insert_every_value_separated_by_spaces()
    {
        await Task.Yield();

        Assert.Equal("echo pre'a b' c.dpost", Render(["echo", "pre{}post"], "a b", "c.d"));
        Assert.Equal("echo a c", Render(["echo", "{.}"], "a.b", "c.d"));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_template_without_replacement_strings_gets_the_values_appended()
    {
        await Task.Yield();

        var template = CommandTemplate.Parse(["wc", "-l"]);

        Assert.True(template.AppendsArguments);
        Assert.Equal("wc -l 'a b' c", template.Render(["a b", "c"], 1, 1));
        Assert.False(CommandTemplate.Parse(["echo", "{#}"]).AppendsArguments);
    }

    [Fact(Timeout = 10_000)]
    public async Task Values_in_the_command_word_itself_are_inserted_bare_as_GNU_parallel_does()
    {
        await Task.Yield();

        // With no template, or a replacement string in the command word, the values are the commands.
        Assert.Equal("echo a; echo b", CommandTemplate.Parse([]).Render(["echo a; echo b"], 1, 1));
        Assert.Equal("echo a b", Render(["{1}", "{2}"], "echo", "a b"));
        Assert.False(CommandTemplate.Parse(["./{}"]).QuotesValues);
        Assert.True(CommandTemplate.Parse(["V={}", "run"]).QuotesValues);
        Assert.True(CommandTemplate.Parse(["echo {}"]).QuotesValues);
    }

    [Fact(Timeout = 10_000)]
    public async Task Other_braces_such_as_awk_code_stay_as_written()
    {
        await Task.Yield();

        Assert.Equal("awk '{print $1}' {x} {..} {+/} {x}", Render(["awk", "'{print $1}'", "{x}", "{..}", "{+/}", "{{}}"], "x"));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_positional_string_beyond_the_sources_is_an_error_naming_it()
    {
        await Task.Yield();
        var template = CommandTemplate.Parse(["diff", "{1}", "out/{3}.txt"]);

        var early = Assert.Throws<TemplateException>(() => template.Validate(2));
        var late = Assert.Throws<TemplateException>(() => template.Render(["a", "b"], 1, 1));
        var fromEnd = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["cat", "{-2}"]).Render(["a"], 1, 1));

        Assert.Equal("out/{3}.txt", early.Word);
        Assert.Contains("'{3}'", early.Message, StringComparison.Ordinal);
        Assert.Contains("only 2 values", early.Message, StringComparison.Ordinal);
        Assert.Equal(early.Message, late.Message);
        Assert.Contains("value 2 from the end", fromEnd.Message, StringComparison.Ordinal);
        template.Validate(3);
    }

    [Fact(Timeout = 10_000)]
    public async Task Source_zero_and_perl_expressions_are_rejected_naming_the_word()
    {
        await Task.Yield();

        var zero = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "x{0}"]));
        var perl = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{=s/a/b/=}"]));

        Assert.Equal("x{0}", zero.Word);
        Assert.Contains("numbered from 1", zero.Message, StringComparison.Ordinal);
        Assert.Equal("{=s/a/b/=}", perl.Word);
        Assert.Contains("perl expression", perl.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FanoutException>(perl);
    }

    [Fact(Timeout = 10_000)]
    public async Task Context_replacement_repeats_each_word_holding_a_value_string_once_per_value()
    {
        await Task.Yield();
        var template = CommandTemplate.Parse(["cat", "x{}y", "{1}{.}", "-o", "{#}-{}.out"]).WithContextReplacement();

        var line = template.Render(["a.c", "b c"], sequence: 7, slot: 1);
        var none = CommandTemplate.Parse(["echo", "x{}y", "{#}"]).WithMissingPositionsEmpty().WithContextReplacement().Render([], 3, 1);

        Assert.Equal("cat xa.cy x'b c'y a.ca a.c'b c' -o 7-a.c.out 7-'b c'.out", line);
        Assert.Equal("echo xy 3", none);
    }
}
