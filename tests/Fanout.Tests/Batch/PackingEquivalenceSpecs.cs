using System.Globalization;
using Fanout.Batch;

namespace Fanout.Tests.Batch;

/// <summary>
/// Differential specs for -m, -X and --xargs: Fanout packs input arguments into the same command
/// lines as the real GNU parallel, cut in the same places, for random templates, values and limits.
/// </summary>
public sealed class PackingEquivalenceSpecs : ProcessTestBase
{
    private static readonly string[] Pieces =
    [
        "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "x{}y", "'{}'", "\"{}\"", "V={}", "a=b", ";", "&&", "|", "cat", "pre{.}post",
        "{}{/}", "a {} b", "x{}\ty", "{#}-{}", "--in={}", "ünï{}", "$(echo hi)",
    ];

    private static readonly string[] Modes = ["-m", "-X", "--xargs"];

    [Fact(Timeout = 120_000)]
    public async Task Random_templates_pack_into_the_command_lines_GNU_parallel_runs()
    {
        var random = new Random(GnuParallel.Seed + 7);
        var cases = Enumerable.Range(0, 40).Select(_ => RandomCase(random)).ToList();
        cases.AddRange(
        [
            ["-j1", "-m", "-s", "20", "echo", ":::", .. Numbers(20)],
            ["-j4", "-m", "echo", ":::", .. Numbers(10)],
            ["-j2", "-m", "-N", "4", "echo", ":::", .. Numbers(20)],
            ["-j3", "-X", "echo", "{#}-{}", ":::", .. Numbers(10)],
            ["-j4", "-X", "-s", "40", "echo", "x{}y", ":::", .. Numbers(250)],
            ["-j1", "--xargs", "-s", "12", "echo", ":::", .. Numbers(8)],
            ["-j2", "--xargs", "echo", ":::", .. Numbers(7)],
            ["-j1", "-X", "-s", "40", "echo a{}b {#}", "c{.}d", ":::", .. Numbers(12)],
            ["-j1", "-m", "-s", "60", "echo", ":::", "a", "b", "c", ":::", "1", "2"],
            ["-j2", "-X", "-s", "50", "echo", "{}", "{.}", ":::", "x/a.b", "y/c.d", "z", ":::+", "1", "2", "3"],
            ["-j1", "-m", "echo", ":::", .. Enumerable.Range(0, 5000).Select(i => "value-" + i.ToString(CultureInfo.InvariantCulture))],
            ["-j2", "--plus", "-m", "-s", "80", "echo", "{+.}", ":::", .. Enumerable.Range(0, 60).Select(i => $"d{i}/f.tar.gz")],
            ["-j3", "--plus", "-X", "-s", "90", "echo", "x{..}y", "{/...}", "{#}", ":::", .. Enumerable.Range(0, 40).Select(i => $"a.b{i}.c.d")],
        ]);

        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(cases.Select(async words =>
        {
            await gate.WaitAsync();
            try
            {
                await CompareAsync(words);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_argument_too_long_for_any_line_stops_both()
    {
        string[] words = ["-j1", "-m", "-s", "10", "echo", ":::", "a", "aaaaaaaaaaaaaaaaaa", "b"];

        var gnu = await GnuParallel.Spec(["--dry-run", .. words]).RunAsync(TimeSpan.FromSeconds(30));
        var error = Assert.Throws<TemplateException>(() => Fanout(words));

        Assert.Equal(255, gnu.ReturnCode);
        Assert.Contains("Command line too long (23 >= 10)", gnu.StderrText, StringComparison.Ordinal);
        Assert.Contains("Input argument 2 ('aaaaaaaaaaaaaaaaaa') alone makes a command line of 23 bytes, which reaches the limit of 10", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_positional_replacement_string_is_refused_rather_than_filled_from_the_first_argument_only()
    {
        await Task.Yield();

        var error = Assert.Throws<TemplateException>(() => new CommandLinePacker(CommandTemplate.Parse(["echo", "{1}", "{}"]), jobSlots: 1, spread: true));

        Assert.Contains("'{1}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("-N n", error.Message, StringComparison.Ordinal);
    }

    private static async Task CompareAsync(string[] words)
    {
        var gnu = await GnuParallel.Spec(["--dry-run", .. words]).RunAsync(TimeSpan.FromSeconds(30));
        var context = "Words: " + GnuParallel.Describe(words);
        if (gnu.ReturnCode == 255 && gnu.StderrText.Contains("Command line too long", StringComparison.Ordinal))
        {
            // A value too long for any line: GNU parallel stops, and so does Fanout.
            Assert.Throws<TemplateException>(() => Fanout(words));
            return;
        }

        Assert.True(gnu.Status.Success, $"GNU parallel failed ({gnu.Status}): {gnu.StderrText}\n{context}");
        GnuParallel.AssertSameLines(gnu.StdoutText, Fanout(words), context);
    }

    /// <summary>Fanout's dry run for the options at the start of <paramref name="words"/>, as the CLI reads them.</summary>
    private static List<string> Fanout(string[] words)
    {
        var (jobs, mode, maxLength, perJob, rest, plus) = (1, "", CommandLinePacker.DefaultMaxLength, (int?)null, 0, false);
        for (; rest < words.Length && words[rest].StartsWith('-'); rest++)
        {
            switch (words[rest])
            {
                case var j when j.StartsWith("-j", StringComparison.Ordinal):
                    jobs = int.Parse(j[2..], CultureInfo.InvariantCulture);
                    break;
                case "-s":
                    maxLength = int.Parse(words[++rest], CultureInfo.InvariantCulture);
                    break;
                case "-N":
                    perJob = int.Parse(words[++rest], CultureInfo.InvariantCulture);
                    break;
                case "--plus":
                    plus = true;
                    break;
                default:
                    mode = words[rest];
                    break;
            }
        }

        return GnuParallel.FanoutPackedDryRun(words[rest..], inContext: mode == "-X" || perJob is not null, spread: mode != "--xargs", jobs, maxLength, perJob, plus);
    }

    private static string[] RandomCase(Random random)
    {
        List<string> words = ["-j" + random.Next(1, 5).ToString(CultureInfo.InvariantCulture), Modes[random.Next(Modes.Length)]];
        if (random.Next(4) > 0)
            words.AddRange(["-s", random.Next(30, 400).ToString(CultureInfo.InvariantCulture)]);
        if (random.Next(4) == 0)
            words.AddRange(["-N", random.Next(1, 6).ToString(CultureInfo.InvariantCulture)]);
        words.Add(random.Next(3) == 0 ? "printf '%s|'" : "echo");
        for (var i = random.Next(0, 5); i > 0; i--)
            words.Add(Pieces[random.Next(Pieces.Length)]);

        var count = random.Next(1, 40);
        for (var s = random.Next(1, 3); s > 0; s--)
        {
            // Linked sources of the same length: when they differ, GNU parallel sees the end of the
            // input only once it has read past the shorter, so whether the last line is spread depends on where -N cut it.
            var linked = s == 1 && words.Contains(":::") && random.Next(2) == 0;
            words.Add(linked ? ":::+" : ":::");
            words.AddRange(Enumerable.Range(0, linked ? count : count = random.Next(1, 40)).Select(_ => Short(random)));
        }

        return [.. words];
    }

    private static string Short(Random random)
    {
        var value = GnuParallel.Value(random);
        var cut = Math.Min(value.Length, 6);
        if (cut < value.Length && char.IsHighSurrogate(value[cut - 1]))
            cut--; // never half an emoji
        return value[..cut];
    }

    private static IEnumerable<string> Numbers(int count) => Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture));
}
