namespace Fanout.Tests;

public sealed class ManyChildrenSpecs : ProcessTestBase
{
    [Fact(Timeout = 120_000)]
    public async Task Ten_thousand_children_can_be_alive_at_once_and_are_all_reaped()
    {
        // A tiny child is the point here: ten thousand .NET processes would not fit in memory.
        // They sleep far longer than starting them all can take, even on a loaded machine; all are killed below.
        var spec = new ProcessSpec("/bin/sleep", "600").WithStdin(Stdio.Null).WithStdout(Stdio.Null);
        var children = new List<ChildProcess>(10_000);
        try
        {
            for (var i = 0; i < 10_000; i++)
                children.Add(spec.Start());

            Assert.Equal(10_000, children.Count(c => c.IsRunning));
        }
        finally
        {
            foreach (var child in children)
                child.Kill();
        }

        var statuses = await Task.WhenAll(children.Select(c => c.WaitAsync()));
        Assert.All(statuses, status => Assert.Equal(Signal.Kill, status.Signal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Hundreds_of_children_with_pipes_run_at_once_and_each_output_is_its_own()
    {
        var children = Enumerable.Range(0, 300)
            .Select(i => TestChild.Spec("out", $"child {i}").WithCapturedOutput().Start())
            .ToList();

        var results = await Task.WhenAll(children.Select(c => c.CommunicateAsync()));

        for (var i = 0; i < results.Length; i++)
            Assert.Equal($"child {i}\n", results[i].StdoutText);
        foreach (var child in children)
            await child.DisposeAsync();
    }
}
