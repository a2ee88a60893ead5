namespace Fanout.Tests.Batch;

public sealed class ManifestSpecs : ProcessTestBase
{
    [Fact(Timeout = 60_000)]
    public async Task Groups_run_after_their_dependencies_and_the_final_step_runs_last()
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("step.sh"), "echo \"$1 $2\" >> order.txt\n");
        await File.WriteAllTextAsync(cli.File("batch.yaml"), """
            steps:
              - id: prepare
                command: echo prepare > order.txt
            groups:
              first:
                samples: [s1, s2]
                scripts: [step.sh]
                command: sh {script} {group} {sample}
                after: [prepare]
              second:
                samples: [t1]
                scripts: [step.sh]
                command: sh {script} {group} {sample}
                after: [first]
            then: echo then >> order.txt
            """);

        var result = await cli.RunAsync("--quiet", "batch.yaml");

        Assert.Equal(0, result.ReturnCode);
        var order = await File.ReadAllLinesAsync(cli.File("order.txt"));
        Assert.Equal("prepare", order[0]);
        Assert.Equal(["first s1", "first s2"], order[1..3].Order());
        Assert.Equal(["second t1", "then"], order[3..]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_job_skips_the_final_step()
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("batch.yaml"), """
            steps:
              - id: fails
                command: exit 3
            then: echo never > then.txt
            """);

        var result = await cli.RunAsync("batch.yaml");

        Assert.Equal(2, result.ReturnCode);
        Assert.False(File.Exists(cli.File("then.txt")));
        Assert.Contains("1 skipped after a failed dependency", result.StderrText, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("groups:\n  g:\n    samples: [a]\n    scripts: [s.sh]\n    colour: blue\n", 5, "unknown key 'colour'")]
    [InlineData("steps:\n  - id: a\n    command: 'true'\n    after: [ghost]\n", 4, "'ghost'")]
    [InlineData("steps:\n  - id: a\n    command: 'true'\n    timeout: soon\n", 4, "timeout must be a positive number")]
    [InlineData("steps:\n  - id: a\n    command: 'true'\n    after: [b]\n  - id: b\n    command: 'true'\n    after: [a]\n", 2, "cycle")]
    [InlineData("groups:\n  g:\n    samples: [a]\n    scripts: [missing.sh]\n", 4, "'missing.sh' does not exist")]
    [InlineData("steps: [\n", 2, "not valid YAML")]
    public async Task A_bad_manifest_is_refused_naming_the_file_and_line(string yaml, int line, string message)
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("s.sh"), "true\n");
        await File.WriteAllTextAsync(cli.File("bad.yaml"), yaml);

        var result = await cli.RunAsync("bad.yaml");

        Assert.Equal(255, result.ReturnCode);
        Assert.Contains($"bad.yaml:{line}:", result.StderrText, StringComparison.Ordinal);
        Assert.Contains(message, result.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_seed_pipeline_runs_every_job_then_the_post_analysis()
    {
        var pipeline = Path.Combine(RepositoryRoot(), "samples", "pipeline");
        using var cli = new Cli();
        CopyFolder(pipeline, cli.Folder);

        var result = await cli.RunAsync("--quiet", "-j", "4", "batch.yaml");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("post-analysis: 100 samples, 8700 results; summary in results/summary.tsv\n", result.StdoutText);
        Assert.Equal(100, (await File.ReadAllLinesAsync(cli.File("results/summary.tsv"))).Length);
    }

    internal static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Fanout.slnx")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("The repository root was not found above the test binaries.");
        return dir;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("results", StringComparison.Ordinal))
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
