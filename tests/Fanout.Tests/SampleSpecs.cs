using System.Globalization;
using System.Text.RegularExpressions;

namespace Fanout.Tests;

/// <summary>Each sample is run as its own program and prints what its seed shows.</summary>
public sealed partial class SampleSpecs : ProcessTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Seed000_starts_300_jobs_at_once_and_collects_every_output()
    {
        var result = await Sample("Seed000.Background").RunAsync(timeout: TimeSpan.FromSeconds(50), check: true);

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Running 300 jobs in parallel....", lines[0]);
        var durations = lines[1..301].Select(l => double.Parse(l.Replace(" s", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList();
        Assert.All(durations, d => Assert.InRange(d, 1.2, 1.3));
        Assert.Equal($"Work done: {durations.Sum():0.00} s in total", lines[301]);
        var elapsed = double.Parse(FinishedIn().Match(lines[302]).Groups[1].Value, CultureInfo.InvariantCulture);
        // In parallel: about 1.3 s, never the 375 s of running them one after another.
        Assert.InRange(elapsed, 1.2, 15);
    }

    [Fact(Timeout = 60_000)]
    public async Task Seed002_shows_every_subprocess_example()
    {
        var result = await Sample("Seed002.Subprocess").RunAsync(timeout: TimeSpan.FromSeconds(50), check: true);

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var at = 0;
        Assert.Equal("Hello from the child!", lines[at++]);
        Assert.Equal("Working...", lines[at++]);
        while (lines[at] == "Working...")
            at++;
        Assert.Equal("Exit status 0", lines[at++]);
        var parallel = double.Parse(FinishedIn().Match(lines[at++]).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(parallel, 0.09, 0.9);
        for (var i = 0; i < 3; i++)
            Assert.Matches("^[0-9a-f]{20}$", lines[at++]);
        var hashes = lines[at..(at + 3)];
        at += 3;
        Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{32}$", h));
        Assert.Equal(3, hashes.Distinct().Count());
        Assert.Equal("Exit status -15", lines[at++]);
        Assert.Equal(lines.Length, at);
    }

    private static ProcessSpec Sample(string name) =>
        new ProcessSpec(Path.Combine(AppContext.BaseDirectory, name)).WithCapturedOutput();

    [GeneratedRegex(@"^Finished in ([0-9.]+) seconds$")]
    private static partial Regex FinishedIn();
}
