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

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
