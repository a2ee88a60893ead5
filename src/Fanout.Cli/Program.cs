using System.CommandLine;
using System.Runtime.InteropServices;
using Fanout;
using Fanout.Batch;
using Fanout.Cli;
using Fanout.Cli.Output;

// fanout: the command-line face of Fanout's batch runner.
const int UsageError = 255;

var runLine = new RunCommandLine();
var root = new RootCommand("fanout: run many jobs in parallel in separate processes, wait for all of them, retry, resume, then run the post step.\n\n" + RunCommandLine.Examples)
{
    runLine.Command,
    SemCommand.Create(),
    LeftoversCommand.Create(),
};

try
{
    if (args.Length > 0 && args[0] == "run")
    {
        var rest = args[1..];
        var (options, command) = runLine.Split(rest);
        var parsed = root.Parse(["run", .. options]);
        if (parsed.Errors.Count > 0 || options.Any(w => w is "-h" or "--help" or "-?"))
        {
            var exit = parsed.Invoke();
            return parsed.Errors.Count > 0 ? UsageError : exit;
        }

        var settings = runLine.Read(parsed, command);
        return await RunAsync(settings);
    }

    if (args.Length > 0 && args[0] == "sem")
    {
        // As GNU parallel's sem: the options come first; the first other word starts the job's command.
        var (options, command) = SemCommand.Split(args[1..]);
        var parsed = root.Parse(["sem", .. options]);
        if (parsed.Errors.Count > 0 || options.Any(w => w is "-h" or "--help" or "-?"))
        {
            var exit = parsed.Invoke();
            return parsed.Errors.Count > 0 ? UsageError : exit;
        }

        return await SemCommand.RunAsync(parsed, command);
    }

    var result = root.Parse(args);
    var code = result.Invoke();
    return result.Errors.Count > 0 ? UsageError : code;
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return UsageError;
}
catch (FanoutException e)
{
    Console.Error.WriteLine("fanout: " + e.Message);
    return UsageError;
}

static async Task<int> RunAsync(RunSettings settings)
{
    using var sharing = new InputSharing();
    var jobs = JobInputs.Read(settings, sharing, out var manifestParallel);
    if (manifestParallel is { } parallel && !settings.JobsGiven)
        settings = settings with { Batch = settings.Batch with { MaxParallel = parallel } };

    if (settings.DryRun)
    {
        // As GNU parallel's --dry-run: the tag too, when lines are tagged.
        foreach (var job in jobs)
            Console.Out.WriteLine(ConsoleReporter.TagPrefix(settings, job, slot: 1) + (job.CommandForSlot?.Invoke(1) ?? job.CommandLine));
        return 0;
    }

    if (settings.Slurm is not null && SlurmTimeLimitWarning.For(settings.Batch, jobs) is { } warning)
        Console.Error.WriteLine(warning);

    // --results -.csv: the table is the output, as GNU parallel makes it; the jobs' own output is dropped.
    var stdout = settings.ResultsTableOnStdout ? Stream.Null : Console.OpenStandardOutput();
    var stderr = settings.ResultsTableOnStdout ? Stream.Null : Console.OpenStandardError();
    using var table = settings.ResultsTablePath is not { } tablePath ? null
        : settings.ResultsTableOnStdout ? ResultsTable.ToStream(Console.OpenStandardOutput(), tablePath[2..])
        : ResultsTable.Create(tablePath);
    settings = settings with { Batch = settings.Batch with { ResultsTable = table } };
    using var interrupt = new CancellationTokenSource();
    // The display reads the runner's progress; the runner reports through the display's lock.
    BatchRunner? observed = null;
    using var progress = new ProgressDisplay(() => observed?.Progress ?? new BatchProgress(0, false, 0, 0, 0, 0, TimeSpan.Zero),
        // Ungrouped jobs write to the terminal themselves: a bar redrawn under them would garble their lines.
        Console.Error, !Console.IsErrorRedirected, settings.Quiet || settings.Json || (settings.Batch.Ungrouped && !Console.IsErrorRedirected), settings.ProgressInterval);
    var reporter = new ConsoleReporter(settings, stdout, stderr, progress) { Halted = sharing.Dispose };
    await using var slurm = settings.Slurm is { } slurmOptions ? new SlurmBackend(slurmOptions) : null;
    using var runner = observed = new BatchRunner(settings.Batch, reporter, slurm);

    // First Ctrl-C or SIGTERM: stop starting, stop running jobs gracefully. Second: kill at once.
    var signals = 0;
    PosixSignal? received = null;
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        received ??= context.Signal;
        if (Interlocked.Increment(ref signals) == 1)
        {
            lock (TerminalLock.Gate)
                Console.Error.WriteLine($"\nfanout: {context.Signal}: stopping; press Ctrl-C again to kill the running jobs at once");
            interrupt.Cancel();
        }
        else
        {
            runner.KillRunningJobs();
        }
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

    BatchSummary summary;
    try
    {
        summary = await runner.RunAsync(jobs, interrupt.Token);
    }
    finally
    {
        progress.Dispose();
        sharing.Dispose();
    }

    if (sharing.ReadError is { } readError)
        summary = summary with { RecordingError = summary.RecordingError ?? $"Reading the input stopped early: {readError.Message}" };

    var printed = false;
    try
    {
        reporter.Flush();
        if (settings.Json)
            SummaryPrinter.WriteJson(reporter, summary);
        printed = settings.Json;
    }
    catch (IOException e)
    {
        // Standard output failed (a full disk, a closed pipe): say so on stderr, with the plain summary.
        summary = summary with { RecordingError = summary.RecordingError ?? $"Cannot write the batch's output: {e.Message}" };
    }

    if (!printed)
        SummaryPrinter.Print(summary, Console.Error, settings.Quiet);
    if (summary.Interrupted)
        return received == PosixSignal.SIGTERM ? 143 : 130;
    return summary.ExitCode;
}
