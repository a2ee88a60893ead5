using System.Globalization;

namespace Fanout.Tests;

/// <summary>
/// Workers of an application compiled ahead of time (NativeAOT): tests/Fanout.NativeWorkers, run
/// as published. Its worker is the same executable, taken over by Fanout before Main.
/// </summary>
public sealed class NativeWorkerSpecs : ProcessTestBase
{
    [Fact(Timeout = 600_000)]
    public async Task A_native_application_runs_its_workers_and_pools_as_itself_and_gets_back_values_errors_and_exit_codes()
    {
        var run = await NativeProgram.Spec("all").WithCapturedOutput().RunAsync(timeout: TimeSpan.FromSeconds(60));
        var lines = run.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var results = lines.Where(l => l.Contains(": ", StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 2)..]);

        Assert.True(run.ReturnCode == 0, run.StderrText);
        Assert.Single(lines, l => l.StartsWith("main ", StringComparison.Ordinal)); // no worker ran Main
        Assert.Equal("4000000 0,0,0,0", results["counter"]);
        Assert.Equal("0 49", results["result"]);
        Assert.Equal("ABC", results["lambda"]);
        Assert.Equal("native-1", results["name"]);
        Assert.Equal("1 System.InvalidOperationException boom", results["throws"]);
        Assert.Equal("7", results["exit"]);
        Assert.Equal("21", results["async"]);
        Assert.Equal("False", results["icu"]);
        Assert.Equal("Summary { Name = job-a, Total = 6 }", results["record"]);
        Assert.Equal("a|b|c", results["list"]);
        Assert.Equal("-15", results["terminate"]);
        Assert.Equal("1,4,9,16,25", results["pool"]);
        Assert.Equal("1,2,3", results["pool-lambda"]);
        Assert.Equal("11,22", results["pool-two"]);
        Assert.Equal("81 100", results["executor"]);
        // A type the application's generated context does not list is refused at the call site, naming the way out.
        Assert.StartsWith("Argument 1 for parameter 'p' (Point) of Norm cannot be sent to a worker process: ", results["refused"]);
        Assert.Contains("[assembly: WorkerJsonContext(typeof(YourContext))]", results["refused"], StringComparison.Ordinal);
        // The worker's traceback on stderr shows the target's frame, not the host's reflection frames.
        Assert.Contains("at Targets.Throw(", run.StderrText, StringComparison.Ordinal);
        Assert.DoesNotContain("DynamicInvokeInfo", run.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 600_000)]
    public async Task A_worker_started_after_the_executable_was_replaced_on_disk_refuses_to_run_another_build()
    {
        var folder = Directory.CreateTempSubdirectory("fanout-native-").FullName;
        try
        {
            var program = Path.Combine(folder, "program");
            File.Copy(NativeProgram.Path, program);
            await using var parent = new ProcessSpec(program, "rebuilt").WithStdin(Stdio.Pipe).WithStdout(Stdio.Pipe).Start();
            var lines = parent.ReadLinesAsync().GetAsyncEnumerator();
            Assert.True(await lines.MoveNextAsync()); // "main <pid>"
            Assert.True(await lines.MoveNextAsync());
            Assert.Equal("ready", lines.Current);

            // A rebuild: a new file under the old name, while the parent runs the old one.
            File.Copy(NativeProgram.Path, program + ".new");
            File.Move(program + ".new", program, overwrite: true);
            await parent.StandardInput!.WriteAsync("\n"u8.ToArray());
            await parent.StandardInput.FlushAsync();
            Assert.True(await lines.MoveNextAsync());

            Assert.StartsWith("rebuilt: 1 ", lines.Current, StringComparison.Ordinal);
            Assert.Contains("is not the build the parent loaded", lines.Current, StringComparison.Ordinal);
            await lines.DisposeAsync();
            Assert.Equal(0, (await parent.WaitAsync()).ReturnCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact(Timeout = 600_000)]
    public async Task A_native_worker_is_gone_within_a_second_after_its_parent_is_killed_with_SIGKILL()
    {
        await using var parent = NativeProgram.Spec("orphan").WithStdout(Stdio.Pipe).Start();
        int? worker = null;
        try
        {
            await foreach (var line in parent.ReadLinesAsync())
            {
                if (line.StartsWith("worker ", StringComparison.Ordinal))
                {
                    worker = int.Parse(line["worker ".Length..], CultureInfo.InvariantCulture);
                    break;
                }
            }

            Assert.NotNull(worker);
            parent.Kill();
            Assert.Equal(Signal.Kill, (await parent.WaitAsync()).Signal);
            var gone = Eventually(() => !IsAlive(worker.Value), TimeSpan.FromSeconds(1));
            Assert.True(gone, $"native worker {worker} is still alive a second after its parent was killed");
        }
        finally
        {
            if (worker is { } pid && IsAlive(pid))
                Interop.Libc.kill(pid, 9);
        }
    }
}

/// <summary>
/// The published native test program: FANOUT_NATIVE_WORKERS when set (scripts/test publishes it),
/// else published here once, into the build's output, which takes a minute or two.
/// </summary>
internal static class NativeProgram
{
    private static readonly Lazy<string> LazyPath = new(Locate);

    /// <summary>The published executable.</summary>
    internal static string Path => LazyPath.Value;

    internal static ProcessSpec Spec(params string[] args) => new ProcessSpec(LazyPath.Value, args).WithStdin(Stdio.Null);

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("FANOUT_NATIVE_WORKERS") is { Length: > 0 } published)
            return System.IO.Path.GetFullPath(published);
        var project = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Fanout.NativeWorkers"));
        var output = System.IO.Path.Combine(AppContext.BaseDirectory, "native-workers");
        var publish = new ProcessSpec("dotnet", ["publish", project, "-c", "Release", "-o", output, "-nologo", "-v", "q"])
            .WithCapturedOutput().WithStdin(Stdio.Null)
            .Run(timeout: TimeSpan.FromMinutes(8));
        if (publish.ReturnCode != 0)
            throw new InvalidOperationException($"Publishing {project} failed:\n{publish.StdoutText}\n{publish.StderrText}");
        return System.IO.Path.Combine(output, "Fanout.NativeWorkers");
    }
}
