using System.Globalization;
using System.Text;
using Fanout.Batch;
using Fanout.Cli.Output;

namespace Fanout.Cli;

/// <summary>The end-of-run report on stderr: counts, each failure with its status and last stderr lines, wall and CPU time.</summary>
internal static class SummaryPrinter
{
    private const int FailuresShown = 20;
    private const int StderrLinesShown = 5;

    internal static void Print(BatchSummary summary, TextWriter stderr, bool quiet)
    {
        if (quiet && summary.Success)
            return;
        var text = new StringBuilder();
        foreach (var failure in summary.Failures.Where(f => f.Outcome is not (JobOutcome.Skipped or JobOutcome.Cancelled)).Take(FailuresShown))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"fanout: FAILED {failure.Job.Id}: {failure.Job.CommandLine}");
            text.AppendLine(CultureInfo.InvariantCulture, $"        {failure.Describe()}{(failure.Attempts > 1 ? $" after {failure.Attempts} attempts" : "")}");
            var lines = Encoding.UTF8.GetString(failure.Stderr).TrimEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in lines.TakeLast(StderrLinesShown))
                text.AppendLine("        | " + line);
        }

        var shown = summary.Failures.Count(f => f.Outcome is not (JobOutcome.Skipped or JobOutcome.Cancelled));
        if (shown > FailuresShown)
            text.AppendLine(CultureInfo.InvariantCulture, $"fanout: … and {shown - FailuresShown} more failures (see the job log or --results)");
        var skipped = summary.Failures.Count(f => f.Outcome == JobOutcome.Skipped);
        var stopped = summary.Failures.Count(f => f.Outcome == JobOutcome.Cancelled);
        var failed = summary.Failures.Count - skipped - stopped;
        var total = summary.TotalKnown ? $"{summary.Total} jobs" : $"{summary.Total} jobs read (the input was not read to its end)";
        text.Append(CultureInfo.InvariantCulture, $"fanout: {total}: {summary.Succeeded} succeeded, {failed} failed");
        if (stopped > 0)
            text.Append(CultureInfo.InvariantCulture, $", {stopped} stopped unfinished");
        if (skipped > 0)
            text.Append(CultureInfo.InvariantCulture, $", {skipped} skipped after a failed dependency");
        if (summary.AlreadyDone > 0)
            text.Append(CultureInfo.InvariantCulture, $", {summary.AlreadyDone} already done");
        var notRun = !summary.TotalKnown ? 0 : summary.Total - summary.Succeeded - summary.Failures.Count - summary.AlreadyDone;
        if (notRun > 0)
            text.Append(CultureInfo.InvariantCulture, $", {notRun} not run");
        text.AppendLine(CultureInfo.InvariantCulture, $"; wall {summary.WallTime.TotalSeconds:0.00} s, CPU {summary.CpuTime.TotalSeconds:0.00} s");
        if (summary.Interrupted)
            text.AppendLine("fanout: interrupted; run again with --resume (and the same --joblog) to do what is left.");
        if (summary.HaltReason is not null)
            text.AppendLine("fanout: halted: " + summary.HaltReason);
        if (summary.RecordingError is not null)
            text.AppendLine($"fanout: stopped: {summary.RecordingError}; run again with --resume (and the same --joblog) to do what is left.");
        lock (TerminalLock.Gate)
        {
            stderr.Write(text.ToString());
            stderr.Flush();
        }
    }

    internal static void WriteJson(ConsoleReporter reporter, BatchSummary summary) => reporter.WriteJson(json =>
    {
        json.WriteString("event", "summary");
        json.WriteNumber("total", summary.Total);
        json.WriteNumber("succeeded", summary.Succeeded);
        json.WriteNumber("failed", summary.Failures.Count(f => f.Outcome != JobOutcome.Skipped));
        json.WriteNumber("skipped", summary.Failures.Count(f => f.Outcome == JobOutcome.Skipped));
        json.WriteNumber("alreadyDone", summary.AlreadyDone);
        json.WriteNumber("wallSeconds", Math.Round(summary.WallTime.TotalSeconds, 3));
        json.WriteNumber("cpuSeconds", Math.Round(summary.CpuTime.TotalSeconds, 3));
        json.WriteBoolean("interrupted", summary.Interrupted);
        if (summary.HaltReason is not null)
            json.WriteString("halt", summary.HaltReason);
        if (summary.RecordingError is not null)
            json.WriteString("error", summary.RecordingError);
        json.WriteNumber("exitCode", summary.ExitCode);
    });
}
