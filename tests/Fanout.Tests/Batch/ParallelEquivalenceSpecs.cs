using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>
/// Differential specs: for the same template and inputs Fanout renders, byte for byte, the command
/// lines the real GNU parallel runs (its <c>--dry-run</c> output), and running them gives the same output.
/// </summary>
public sealed class ParallelEquivalenceSpecs : ProcessTestBase
{

    private readonly string _dir = Directory.CreateTempSubdirectory("fanout-templates-").FullName;

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    /// <summary>Tricky values with newlines, NUL-separated so that GNU parallel reads each whole (<c>-0</c>).</summary>
    private static string[] TrickyValues(Random random, int count) =>
        [.. GnuParallel.EdgeValues, .. GnuParallel.NewlineValues, .. Enumerable.Range(0, count).Select(_ => GnuParallel.Value(random, newlines: true))];

    public static TheoryData<string[]> Templates() => new()
    {
        { ["echo", "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", "x{}y", "{1}", "{-1}", "{1.}", "{1/}", "{1//}", "{1/.}", "{1 }", "{{}}"] },
        { ["printf '%s\\n' {} | cat", "&&", "V={}", "echo", "\"{}\"", "'{/}'", "$V"] },
        { ["wc", "-l"] },
        { [] },
        { ["{}"] },
        { ["./{/.}", "--input={}", "{#}"] },
        { ["awk '{print $1}'", "{.}.out"] },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Templates))]
    public async Task Every_replacement_string_renders_tricky_values_as_GNU_parallel_does(string[] template)
    {
        var values = TrickyValues(new Random(GnuParallel.Seed), 40);
        var file = WriteFile("values", string.Concat(values.Select(v => v + "\0")));

        var gnu = await GnuParallel.DryRunAsync(["-0", .. template, "::::", file]);
        var parsed = CommandTemplate.Parse(template);
        var fanout = values.Select((v, i) => parsed.Render([v], i + 1, slot: 1) + "\n").ToList();

        GnuParallel.AssertSameLines(gnu, fanout, "Template: " + GnuParallel.Describe(template));
    }

    [Fact(Timeout = 60_000)]
    public async Task Plus_replacement_strings_render_tricky_values_as_GNU_parallels_plus_does()
    {
        var random = new Random(GnuParallel.Seed + 11);
        string[] paths = ["a.b.c.d.e", "dir.v/a.b.c.d", "p q/.x", "a..b", "....", "a.b/c.d/e", "a.b.c.d/", ".a.b", "x.tar.gz", "a\nb.c/d.e", "a.b\nc.d"];
        var values = (string[])[.. TrickyValues(random, 40), .. paths];
        var file = WriteFile("plus-values", string.Concat(values.Select(v => v + "\0")));
        string[] template = ["echo", "{..}", "{...}", "{/..}", "{/...}", "{+/}", "{+.}", "{+..}", "{+...}", "{1..}", "{-1+/}", "x{+.}y", "{##}", "{0#}", "{0%}", "{#}"];

        var gnu = await GnuParallel.DryRunAsync(["--plus", "-0", .. template, "::::", file]);
        var parsed = CommandTemplate.Parse(template, null, plus: true).WithJobCounts(values.Length, jobSlots: 1);
        var fanout = values.Select((v, i) => parsed.Render([v], i + 1, slot: 1) + "\n").ToList();

        GnuParallel.AssertSameLines(gnu, fanout, "Template: " + GnuParallel.Describe(template));
    }

    public static TheoryData<string[]> PlusEditTemplates() => new()
    {
        { ["echo", "{%.gz}", "{%%.*}", "{#a}", "{##a.*b}", "{#a*}", "{%a+}", "{%.[a-z]*}", "{%%.[a-z]*}", "{#*/}", "{##*/}", "{%}", "{%%}", "{#}"] },
        { ["echo", "{:-def}", "{:-{}}", "{:-a b}", "{:2}", "{:1:3}", "{:0:2}", "{:00}", "{:3:0}", "{:20:1}", "x{:1}y", "{slot}"] },
        { ["echo", "{/a/X}", "{//a/X}", "{/#a/X}", "{/%a/X}", "{/./_}", "{//./_}", "{//b*/-}", "{/a/$1}", "{/(a)/[\\1]}", "{/a/b/c}", "{//\\n/N}", "{/%\\n/N}"] },
        { ["echo", "{^a}", "{^^a}", "{,A}", "{,,A}", "{^[a-z]}", "{^^[a-z]}", "{,,[A-Z]+}", "{^^.}"] },
        { ["echo", "{1%.c}", "{-1 :1}", "{1 /a/b}", "x{%.d}y", "{%.d}{#a}", "{1}", "{/.}", "{+..}"] },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(PlusEditTemplates))]
    public async Task Plus_edits_with_arguments_render_tricky_values_as_GNU_parallels_plus_does(string[] template)
    {
        // ASCII values only: GNU parallel's Perl edits UTF-8 bytes, Fanout characters (see the next spec).
        var random = new Random(GnuParallel.Seed + 12);
        string[] more = ["0", "00", "aXa", "Abc.a", "aAbBc.gz", "a.b.c.d.gz", "ab", "bbb", "a\n", "x.d\n", "x.gz.gz", "A.B"];
        var values = TrickyValues(random, 40).Concat(more).Where(v => v.All(char.IsAscii)).ToArray();
        var file = WriteFile("plus-edit-values", string.Concat(values.Select(v => v + "\0")));

        var gnu = await GnuParallel.DryRunAsync(["--plus", "-0", .. template, "::::", file]);
        var parsed = CommandTemplate.Parse(template, null, plus: true);
        var fanout = values.Select((v, i) => parsed.Render([v], i + 1, slot: 1) + "\n").ToList();

        GnuParallel.AssertSameLines(gnu, fanout, "Template: " + GnuParallel.Describe(template));
    }

    [Fact]
    public void Plus_edits_count_and_match_characters_where_GNU_parallel_counts_bytes()
    {
        var template = CommandTemplate.Parse(["echo", "{:2}", "{%.}", "{^^ü}", "{:1:1}", "{//\\w/w}"], null, plus: true).WithoutQuoting();

        // GNU parallel gives "nïcø" for {:2} (the two bytes of ü count as two), cuts ø's last byte
        // for {%.}, takes ü's first byte for {:1:1}, and its \w matches no byte of ü, ï or ø.
        Assert.Equal("echo ïcø ünïc ünïcø n wwwww", template.Render(["ünïcø"], 1, 1));
    }

    [Fact]
    public void Plus_edits_refuse_patterns_that_Perl_reads_otherwise_and_the_strings_Fanout_does_not_support()
    {
        var posix = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{%[[:digit:]]}"], null, plus: true));
        var broken = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{/(a/b}"], null, plus: true));
        var host = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{host}"], null, plus: true));
        var sourceZero = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{0%.gz}"], null, plus: true));
        var numberedSequence = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{2 #}"]));
        var numberedSlot = Assert.Throws<TemplateException>(() => CommandTemplate.Parse(["echo", "{2slot}"], null, plus: true));

        Assert.Contains("'{%[[:digit:]]}'", posix.Message, StringComparison.Ordinal);
        Assert.Contains("[:digit:]", posix.Message, StringComparison.Ordinal);
        Assert.Contains("'{/(a/b}'", broken.Message, StringComparison.Ordinal);
        Assert.Contains("'{host}'", host.Message, StringComparison.Ordinal);
        Assert.Contains("input source 0", sourceZero.Message, StringComparison.Ordinal);
        Assert.Contains("'{2 #}'", numberedSequence.Message, StringComparison.Ordinal);
        Assert.Contains("'{2slot}'", numberedSlot.Message, StringComparison.Ordinal);
        Assert.Equal("echo {%[[:digit:]]} {host}", CommandTemplate.Parse(["echo", "{%[[:digit:]]}", "{host}"]).Render([], 1, 1)[..26]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_plus_its_replacement_strings_stay_as_written_as_in_GNU_parallel()
    {
        string[] words = ["echo", "{..}", "{+/}", "{##}", "{1...}", "{+.}", ":::", "a.b.c"];

        var gnu = await GnuParallel.DryRunAsync(words);

        GnuParallel.AssertSameLines(gnu, GnuParallel.FanoutDryRun(words), "Words: " + GnuParallel.Describe(words));
    }

    [Fact(Timeout = 60_000)]
    public async Task Random_templates_over_crossed_and_linked_sources_render_as_GNU_parallel_does()
    {
        var random = new Random(GnuParallel.Seed);
        var cases = Enumerable.Range(0, 14).Select(n => RandomCase(random, n)).ToList();

        await CompareAllAsync(cases);
    }

    [Fact(Timeout = 60_000)]
    public async Task Several_arguments_per_job_group_as_GNU_parallels_N_groups_them()
    {
        var random = new Random(GnuParallel.Seed + 2);
        var cases = Enumerable.Range(0, 12).Select(n => (RandomCase(random, 100 + n), (int?)random.Next(1, 5))).ToList();
        string[] letters = [":::", "a", "b", "c", "d", "e"];
        cases.AddRange(
        [
            (["echo", "{}", "{#}", .. letters], 2),
            (["echo", "{1}-{2}", "{-1}", .. letters], 3),
            (["echo", "{1}/{2}/{3}/{4}", ":::", "a", "b", "c", ":::", "1", "2"], 2),
            (["echo", "{.}", "{/}", "{//}", ":::", "x/a.b", "y/c.d", "z"], 2),
            (["echo", "hi", "{}", "{#}", "x", .. letters], 0),
            (["echo", "hi", .. letters], 0),
            (["echo", .. letters], 7),
            ([":::", "echo a", "echo b", "echo c"], 2),
            (["echo {}\necho done", "x\t{}", "x {}\ty", "{}\t{#}", .. letters], 2),
        ]);

        await CompareAllAsync(cases);
    }

    /// <summary>Compares each command line's dry runs, two GNU parallels at a time.</summary>
    private static Task CompareAllAsync(IEnumerable<string[]> cases) => CompareAllAsync(cases.Select(words => (words, (int?)null)));

    /// <summary>Compares dry runs of command lines with arguments per job (<c>-N</c>) or without (null).</summary>
    private static async Task CompareAllAsync(IEnumerable<(string[] Words, int? PerJob)> cases)
    {
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(cases.Select(async c =>
        {
            var (words, perJob) = c;
            await gate.WaitAsync();
            try
            {
                string[] options = perJob is { } n ? ["-N", n.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
                var gnu = await GnuParallel.DryRunAsync([.. options, .. words]);
                GnuParallel.AssertSameLines(gnu, GnuParallel.FanoutDryRun(words, argumentsPerJob: perJob), "Words: " + GnuParallel.Describe([.. options, .. words]));
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    [Fact(Timeout = 60_000)]
    public async Task Input_sources_expand_in_GNU_parallels_order()
    {
        var lines = WriteFile("lines", "l1\nl2\nl3\n");
        var crlf = WriteFile("crlf", "c1\r\n\r\n\nc4 with spaces\n\nc6 no newline");
        var two = WriteFile("two", "t1\nt2");
        var empty = WriteFile("empty", "");
        string[] echo = ["echo", "{#}", "{}"];
        string[][] cases =
        [
            [.. echo, ":::", "a", "b", ":::", "1", "2", "3", ":::", "x", "y"],
            [.. echo, ":::", "a", "b", "c", ":::+", "1", "2"],
            [.. echo, ":::", "a", "b", ":::+", "1", "2", "3"],
            [.. echo, ":::", "x", "y", ":::", "a", "b", ":::+", "1", "2", ":::", "p"],
            [.. echo, ":::+", "a", "b", ":::", "1", "2"],
            [.. echo, "::::+", lines, two, ":::", "x", "y"],
            [.. echo, "::::", lines, crlf],
            [.. echo, ":::", "a", "b", "::::+", lines, two],
            [.. echo, "::::", two, ":::+", "x", "y", "z", "::::", lines],
            [.. echo, ":::", "a", "b", "::::", empty],
            [.. echo, "::::", empty, ":::", "a", "::::+", empty],
            [.. echo, ":::", "a", "b", "::::+", empty],
            [.. echo, "::::", empty, empty],
            ["echo", "{2}", "{1}", "{-1}", ":::", "a", "b", "::::", two, ":::", "z"],
            ["cp", "{1}", "{2//}/{1/.}.{2/}", ":::", "in/a.txt", "in/b.tar.gz", ":::+", "out/x", "out dir/y"],
        ];

        await CompareAllAsync(cases);
    }

    [Fact(Timeout = 60_000)]
    public async Task Standard_input_as_a_source_expands_as_in_GNU_parallel()
    {
        const string stdin = "s1\ns 2\n\ns'4";
        string[] words = ["echo", "{1}", "{2}", ":::", "a", "b", "::::", "-"];

        var gnu = await GnuParallel.DryRunAsync(words, Encoding.UTF8.GetBytes(stdin));
        var fanout = GnuParallel.FanoutDryRun(words, _ => new StringReader(stdin));

        GnuParallel.AssertSameLines(gnu, fanout, "Words: " + GnuParallel.Describe(words));
    }

    [Fact(Timeout = 60_000)]
    public async Task Running_the_rendered_lines_with_bin_sh_prints_what_GNU_parallel_prints()
    {
        var values = TrickyValues(new Random(GnuParallel.Seed + 1), 25);
        var file = WriteFile("values", string.Concat(values.Select(v => v + "\0")));
        string[] template = ["printf '<%s>\\n'", "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", "x{}y"];

        var gnu = await GnuParallel.Spec(["-0", .. template, "::::", file]).WithWorkingDirectory(_dir).RunAsync(TimeSpan.FromSeconds(30), check: true);
        var parsed = CommandTemplate.Parse(template);
        var fanout = new List<byte>();
        for (var i = 0; i < values.Length; i++)
        {
            var line = parsed.Render([values[i]], i + 1, slot: 1);
            var job = await ProcessSpec.Shell(line).WithWorkingDirectory(_dir).WithCapturedOutput().RunAsync(TimeSpan.FromSeconds(10), check: true);
            fanout.AddRange(job.Stdout);
        }

        Assert.Equal(gnu.StdoutText, Encoding.UTF8.GetString([.. fanout]));
        Assert.False(File.Exists(Path.Combine(_dir, "pwned")), "a value ran as code");
        Assert.Contains("<$(touch pwned)>", gnu.StdoutText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Values_in_the_command_word_run_as_commands_in_both()
    {
        string[] words = [":::", "echo one; echo two", "printf '%s|' \"a b\" c", "for i in 1 2; do echo $i; done"];

        var gnu = await GnuParallel.Spec(words).RunAsync(TimeSpan.FromSeconds(30), check: true);
        var fanout = new StringBuilder();
        foreach (var line in GnuParallel.FanoutDryRun(words))
            fanout.Append((await ProcessSpec.Shell(line).WithCapturedOutput().RunAsync(TimeSpan.FromSeconds(10), check: true)).StdoutText);

        Assert.Equal("one\ntwo\na b|c|1\n2\n", gnu.StdoutText);
        Assert.Equal(gnu.StdoutText, fanout.ToString());
    }

    /// <summary>A random command line: a template over 1 to 4 sources, crossed or linked, literal or from files.</summary>
    private string[] RandomCase(Random random, int number)
    {
        var sources = random.Next(1, 5);
        string[] commands = ["echo", "echo", "echo", "printf '%s|'", "{1}", "{}", "./{1/}", "{#}"];
        var words = new List<string> { commands[random.Next(commands.Length)] };
        for (var i = random.Next(0, 6); i > 0; i--)
            words.Add(TemplatePiece(random, sources));

        for (var s = 0; s < sources; s++)
        {
            var linked = s > 0 && random.Next(3) == 0;
            var values = Enumerable.Range(0, random.Next(1, 4)).Select(_ => GnuParallel.Value(random)).ToList();
            if (random.Next(4) == 0)
            {
                // Lines of a file: a value may not hold a newline, and the last line may lack one.
                var text = string.Join("\n", values.Select(v => v.Replace("\n", "", StringComparison.Ordinal))) + (random.Next(2) == 0 ? "\n" : "");
                words.Add(linked ? "::::+" : "::::");
                words.Add(WriteFile($"case{number}-source{s}", text));
            }
            else
            {
                words.Add(linked ? ":::+" : ":::");
                words.AddRange(values);
            }
        }

        return [.. words];
    }

    private static string TemplatePiece(Random random, int sources)
    {
        var n = random.Next(1, sources + 1) * (random.Next(4) == 0 ? -1 : 1);
        string[] pieces =
        [
            "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", "x{}y", "'{}'", "\"{}\"", "V={}", "a=b", ";", "&&", "|", "cat",
            $"{{{n}}}", $"{{{n}.}}", $"{{{n}/}}", $"{{{n}//}}", $"{{{n}/.}}", $"pre{{{n}}}post", $"{{{n} }}", $"{{{n}}}{{}}", "$(echo hi)",
        ];
        return pieces[random.Next(pieces.Length)];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Directory.Delete(_dir, recursive: true);
        base.Dispose(disposing);
    }
}
