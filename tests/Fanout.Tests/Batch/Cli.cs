namespace Fanout.Tests.Batch;

/// <summary>The built `fanout` command, run as a child process in a scratch folder.</summary>
internal sealed class Cli : IDisposable
{
    internal Cli() => Folder = Directory.CreateTempSubdirectory("fanout-cli-").FullName;

    /// <summary>
    /// The program under test: FANOUT_CLI when set (scripts/test points it at the published,
    /// natively compiled fanout, which is what users run), else the build's Fanout.Cli beside the tests.
    /// </summary>
    internal static string Path { get; } = Environment.GetEnvironmentVariable("FANOUT_CLI") is { Length: > 0 } published
        ? System.IO.Path.GetFullPath(published)
        : System.IO.Path.Combine(AppContext.BaseDirectory, "Fanout.Cli");

    /// <summary>A scratch folder the runs work in, deleted afterwards.</summary>
    internal string Folder { get; }

    internal ProcessSpec Spec(params string[] args) =>
        new ProcessSpec(Path, ["run", .. args]).WithWorkingDirectory(Folder).WithCapturedOutput().WithStdin(Stdio.Null);

    internal Task<CompletedProcess> RunAsync(params string[] args) => Spec(args).RunAsync(timeout: TimeSpan.FromSeconds(60));

    internal Task<CompletedProcess> RunWithInputAsync(string input, params string[] args) =>
        Spec(args).WithStdin(Stdio.Pipe).RunAsync(timeout: TimeSpan.FromSeconds(60), input: System.Text.Encoding.UTF8.GetBytes(input));

    internal string File(string name) => System.IO.Path.Combine(Folder, name);

    /// <summary>Runs fanout run with <paramref name="line"/>'s words and checks that it is refused (255) with a message saying <paramref name="message"/>.</summary>
    internal async Task AssertUsageErrorAsync(string line, string message)
    {
        var result = await Spec(line.Split(' ')).RunAsync(TimeSpan.FromSeconds(60));

        Xunit.Assert.Equal(255, result.ReturnCode);
        Xunit.Assert.Contains(message, result.StderrText, StringComparison.Ordinal);
    }

    /// <summary>Runs fanout run -k and GNU parallel -k with <paramref name="words"/> on <paramref name="input"/>, and checks that both print the same.</summary>
    internal async Task AssertPrintsWhatGnuParallelPrintsAsync(string[] words, byte[] input)
    {
        var ours = await Spec(["-k", "--quiet", .. words]).WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: input);
        var theirs = await GnuParallel.Spec(["-k", .. words]).WithStdin(Stdio.Pipe).RunAsync(TimeSpan.FromSeconds(60), input: input);

        Xunit.Assert.True(theirs.Status.Success, theirs.StderrText);
        Xunit.Assert.Equal(0, ours.ReturnCode);
        Xunit.Assert.Equal(theirs.StdoutText, ours.StdoutText);
    }

    /// <summary>Each job's output lines, by job number, from output where each job first prints "&lt;n&gt;" on a line.</summary>
    internal static SortedDictionary<int, List<string>> LinesByJob(string output)
    {
        var jobs = new SortedDictionary<int, List<string>>();
        List<string>? current = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (System.Text.RegularExpressions.Regex.Match(line, "^<([0-9]+)>$") is { Success: true } header)
                jobs[int.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = current = [];
            else
                current!.Add(line);
        }

        return jobs;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
