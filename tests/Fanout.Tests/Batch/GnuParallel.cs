using System.Text;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>
/// Runs the real GNU parallel (Debian's package, installed by scripts/prerequisites) and Fanout's
/// templates side by side, and produces tricky input values for both.
/// </summary>
internal static class GnuParallel
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>The seed of the random values: fixed, so failures reproduce; FANOUT_TEMPLATE_SEED explores others.</summary>
    internal static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("FANOUT_TEMPLATE_SEED"), out var s) ? s : 6_2024;

    /// <summary>Pieces of values: path parts, shell metacharacters, quotes, unicode, would-be code.</summary>
    private static readonly string[] Atoms =
    [
        "a", "B9", "file", "x_y", ".", "..", "/", "//", ".tar", ".gz", ".c", "-", "--", "+", "_",
        " ", "  ", "\t", "'", "''", "\"", "\\", ";", "&", "&&", "|", "<", ">", "$", "$(touch pwned)",
        "`touch pwned`", "${HOME}", "$HOME", "*", "?", "[ab]", "~", "#", "!", "=", "@", "%", ",", ":",
        "{}", "{", "}", "{1}", "(", ")", "ü", "日本語", "é", "😀", "\r", "\u00af",
    ];

    /// <summary>Values whose path edits or quoting are corner cases.</summary>
    internal static readonly string[] EdgeValues =
    [
        "", "a/b.c/d.tar.gz", ".bashrc", "dir/.bashrc", "a/", "/", "//", "a.", "a..b", "a//b", "//a", "/a", "a.b/c",
        "-n", "--help", "it's", "'", "''", "a b", " lead", "trail ", "$(touch pwned)", "`touch pwned`", "*.txt",
        "x;touch pwned", "ünïcødé ✓/f.ü", "a=b", "user@host:path", "100%", "~root",
    ];

    /// <summary>Edge values with newlines, for the paths that carry them (NUL-separated files).</summary>
    internal static readonly string[] NewlineValues = ["\n", "x\n", "\na/b", "a\nb/c.d", "x.y\n", "a/b\nc/d.e", "a.b\n/c"];

    /// <summary>A random value of up to six atoms; never an input source marker.</summary>
    internal static string Value(Random random, bool newlines = false)
    {
        while (true)
        {
            var value = new StringBuilder();
            var count = random.Next(0, 7);
            for (var i = 0; i < count; i++)
            {
                value.Append(Atoms[random.Next(Atoms.Length)]);
                if (newlines && random.Next(12) == 0)
                    value.Append('\n');
            }

            var text = value.ToString();
            if (!TemplateInput.IsMarker(text))
                return text;
        }
    }

    /// <summary>GNU parallel with one job slot, in order, with no configuration from the environment.</summary>
    internal static ProcessSpec Spec(IEnumerable<string> arguments) =>
        new ProcessSpec("parallel", ["--will-cite", "-k", "-j1", .. arguments])
            .WithoutEnvironment("PARALLEL")
            .WithEnvironment("PARALLEL_SHELL", "/bin/sh")
            .WithStdin(Stdio.Null)
            .WithCapturedOutput();

    /// <summary>The command lines GNU parallel would run (<c>--dry-run</c>), each followed by a newline.</summary>
    internal static async Task<string> DryRunAsync(IEnumerable<string> arguments, byte[]? stdin = null)
    {
        var spec = Spec(["--dry-run", .. arguments]);
        if (stdin is not null)
            spec = spec.WithStdin(Stdio.Pipe);
        var result = await spec.RunAsync(Limit, input: stdin ?? default);
        Assert.True(result.Status.Success, $"GNU parallel failed ({result.Status}): {result.StderrText}\n{Describe(arguments)}");
        return result.StdoutText;
    }

    /// <summary>What Fanout would run for the same words: one rendered line per job, each followed by a newline.</summary>
    internal static List<string> FanoutDryRun(IReadOnlyList<string> words, Func<string, TextReader>? openFile = null, InputColumns? columns = null, int? argumentsPerJob = null)
    {
        var input = TemplateInput.Parse(words, openFile);
        if (argumentsPerJob is { } perJob)
            input = input.WithArgumentsPerJob(perJob);
        var template = CommandTemplate.Parse(input.CommandWords);
        if (columns is { SplitsColumns: true } || argumentsPerJob is not null)
            template = template.WithMissingPositionsEmpty();
        if (argumentsPerJob is not null)
            template = template.WithContextReplacement(); // what GNU parallel's -N does
        var lines = new List<string>();
        long sequence = 0;
        foreach (var values in input.Arguments())
            lines.Add(template.Render(columns?.Apply(values) ?? values, ++sequence, slot: 1) + "\n");
        return lines;
    }

    /// <summary>What Fanout would run with -m (<paramref name="inContext"/> false) or -X (true), or --xargs (<paramref name="spread"/> false).</summary>
    internal static List<string> FanoutPackedDryRun(IReadOnlyList<string> words, bool inContext, bool spread, int jobSlots, int maxLength, int? maxArguments, bool plus = false)
    {
        var input = TemplateInput.Parse(words);
        var template = CommandTemplate.Parse(input.CommandWords, null, plus);
        if (inContext)
            template = template.WithContextReplacement();
        var packer = new CommandLinePacker(template, jobSlots, spread, maxLength, maxArguments);
        var lines = new List<string>();
        long sequence = 0;
        foreach (var values in packer.Pack(input.Arguments()))
            lines.Add(template.Render(values, ++sequence, slot: 1) + "\n");
        return lines;
    }

    /// <summary>Fails at the first job whose command line differs, showing both.</summary>
    internal static void AssertSameLines(string gnu, IReadOnlyList<string> fanout, string context)
    {
        var at = 0;
        for (var job = 0; job < fanout.Count; job++)
        {
            if (string.CompareOrdinal(gnu, at, fanout[job], 0, fanout[job].Length) != 0)
            {
                var theirs = gnu[at..Math.Min(gnu.Length, at + fanout[job].Length + 40)];
                Assert.Fail($"Job {job + 1} differs.\n{context}\nGNU parallel: {Show(theirs)}\nFanout:       {Show(fanout[job])}");
            }

            at += fanout[job].Length;
        }

        if (at != gnu.Length)
            Assert.Fail($"GNU parallel ran more jobs than Fanout's {fanout.Count}.\n{context}\nThe rest: {Show(gnu[at..Math.Min(gnu.Length, at + 200)])}");
    }

    /// <summary>Words with control characters made visible, for failure messages.</summary>
    internal static string Describe(IEnumerable<string> words) => string.Join(" ", words.Select(w => "«" + Show(w) + "»"));

    private static string Show(string text) =>
        text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
