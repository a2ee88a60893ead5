using System.Globalization;
using System.Text.RegularExpressions;

namespace Fanout.Tests.Pools;

/// <summary>The pool and futures samples, run as their own programs with their sleeps scaled down.</summary>
public sealed partial class PoolSampleSpecs : ProcessTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Seed001_maps_applies_one_by_one_and_applies_asynchronously_on_four_processes()
    {
        // Tasks of 0.6 s: a worker would take two of the four asynchronous ones only if another
        // were kept off the CPU that long, which a loaded 2-core machine did to 0.3 s tasks.
        var result = await Sample("Seed001.Pool", "0.6").RunAsync(timeout: TimeSpan.FromSeconds(50), check: true);

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["2", "3", "4"], lines[..3].Order());
        Assert.Equal("[null, null, null]", lines[3]);
        for (var i = 0; i < 4; i++)
            Assert.Matches($"^apply: task {i} ran in pid [0-9]+$", lines[4 + i]);
        var applied = Seconds(ApplyTotal().Match(lines[8]));
        Assert.InRange(applied, 2.35, 15);
        var asyncPids = lines[9..13].Select((line, i) => AsyncTask().Match(line)).ToList();
        Assert.All(asyncPids.Select((m, i) => (m, i)), x => Assert.Equal(x.i.ToString(CultureInfo.InvariantCulture), x.m.Groups[1].Value));
        Assert.Equal(4, asyncPids.Select(m => m.Groups[2].Value).Distinct().Count());
        var parallel = AsyncTotal().Match(lines[13]);
        Assert.InRange(Seconds(parallel), 0.59, 1.5);
        Assert.Equal("4", parallel.Groups[2].Value);
        Assert.Equal(14, lines.Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task Seed003_shows_every_futures_example()
    {
        var result = await Sample("Seed003.Futures", "0.6").RunAsync(timeout: TimeSpan.FromSeconds(50), check: true);

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var power = System.Numerics.BigInteger.Pow(323, 1235).ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"pow(323, 1235) has {power.Length} digits: {power}", lines[0]);
        var fetched = lines[1..5];
        Assert.Contains("'http://some-made-up-domain.invalid/' generated an exception: HttpRequestException", fetched);
        Assert.Equal(3, fetched.Count(l => PageSize().IsMatch(l)));
        Assert.Equal(["1200", "34567", "890"], fetched.Select(l => PageSize().Match(l)).Where(m => m.Success).Select(m => m.Groups[2].Value).Order());
        Assert.Equal(
            [
                "112272535095293 is prime: True", "112582705942171 is prime: True", "112272535095293 is prime: True",
                "115280095190773 is prime: True", "115797848077099 is prime: True", "1099726899285419 is prime: False",
                "map: slept 0.1 s", "map: timed out waiting for the next result",
                "wait: 1 done, 2 not done",
                "as_completed: slept 0.1 s", "as_completed: slept 0.3 s", "as_completed: slept 0.6 s",
            ],
            lines[5..17]);
        Assert.Equal(
            ["callback: first is finished", "callback: second is cancelled", "cancel running: False, cancel waiting: True"],
            lines[17..20].Order());
        Assert.StartsWith("after shutdown: Cannot schedule new calls after shutdown", lines[20], StringComparison.Ordinal);
    }

    private static ProcessSpec Sample(string name, params string[] args) =>
        new ProcessSpec(Path.Combine(AppContext.BaseDirectory, name), args).WithCapturedOutput();

    private static double Seconds(Match match) => double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^apply: 4 tasks in ([0-9.]+) s$")]
    private static partial Regex ApplyTotal();

    [GeneratedRegex(@"^apply_async: task ([0-9]) ran in pid ([0-9]+)$")]
    private static partial Regex AsyncTask();

    [GeneratedRegex(@"^apply_async: 4 tasks in ([0-9.]+) s on ([0-9]+) processes$")]
    private static partial Regex AsyncTotal();

    [GeneratedRegex(@"^'(http://127\.0\.0\.1:[0-9]+/[a-z]+\.html)' page is ([0-9]+) bytes$")]
    private static partial Regex PageSize();
}
