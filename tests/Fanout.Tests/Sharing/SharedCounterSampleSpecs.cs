namespace Fanout.Tests;

/// <summary>Seed 004's assignment, run as the sample program.</summary>
public sealed class SharedCounterSampleSpecs : SharingTestBase
{
    [Theory(Timeout = 30_000)]
    [InlineData("semaphore")]
    [InlineData("atomic")]
    public async Task Two_workers_counting_to_fifty_million_each_make_a_total_of_exactly_one_hundred_million(string mode)
    {
        var result = await new ProcessSpec(Path.Combine(AppContext.BaseDirectory, "Seed004.SharedCounter"), mode)
            .WithCapturedOutput()
            .RunAsync(timeout: TimeSpan.FromSeconds(25), check: true);

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^--- [0-9.]+ seconds ---$", lines[0]);
        Assert.Equal(["total_number=100000000", "end of main"], lines[1..]);
        Assert.Empty(Directory.EnumerateFiles("/dev/shm", $"{SharedMemory.Prefix}{result.Pid}-*"));
    }
}
