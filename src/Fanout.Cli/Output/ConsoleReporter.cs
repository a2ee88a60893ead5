using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Fanout.Batch;

namespace Fanout.Cli.Output;

/// <summary>
/// Prints each job's output whole when it ends (GNU parallel's default grouping), in input order
/// with <c>-k</c>, line by line with <c>--line-buffer</c>, prefixed with the job's arguments with
/// <c>--tag</c>, or as JSON lines with <c>--json</c>.
/// </summary>
internal sealed class ConsoleReporter(RunSettings settings, Stream stdout, Stream stderr, ProgressDisplay progress) : BatchObserver
{
    private readonly SortedDictionary<long, JobResult?> _waiting = [];

    // The slot each running job got, for tags that name it (--tagstring {%}); a retry may get another.
    private readonly ConcurrentDictionary<long, int> _slots = new();
    private long _nextInOrder = 1;

    public override void JobStarted(JobSpec job, long sequence, int slot, int attempt)
    {
        if (job.TagForSlot is not null)
            _slots[sequence] = slot;
        if (settings.Verbose)
            WriteErrorLine(job.CommandForSlot?.Invoke(slot) ?? job.CommandLine);
    }

    public override void JobAlreadyDone(JobSpec job, long sequence)
    {
        if (settings.KeepOrder)
            Release(sequence, null);
    }

    public override void JobOutputLine(JobSpec job, long sequence, string line, bool isStderr)
    {
        var text = Encoding.UTF8.GetBytes(Tag(job, sequence) + line);
        lock (TerminalLock.Gate)
        {
            progress.Clear();
            (isStderr ? stderr : stdout).Write(text);
            (isStderr ? stderr : stdout).Flush();
        }
    }

    public override void JobRetrying(JobResult failedAttempt, TimeSpan delay)
    {
        if (settings.Json)
        {
            WriteJson(json =>
            {
                json.WriteString("event", "retry");
                json.WriteString("id", failedAttempt.Job.Id);
                json.WriteNumber("attempt", failedAttempt.Attempts);
                json.WriteString("status", failedAttempt.Describe());
                json.WriteNumber("delaySeconds", delay.TotalSeconds);
            });
            return;
        }

        if (!settings.Quiet)
            WriteErrorLine($"fanout: job {failedAttempt.Job.Id} ({failedAttempt.Job.CommandLine}) {failedAttempt.Describe()}; retrying in {delay.TotalSeconds:0.#} s");
    }

    /// <summary>Called when the run halts, before it waits for the jobs still running.</summary>
    internal Action? Halted { get; set; }

    public override void Halting(string reason)
    {
        Halted?.Invoke();
        if (settings.Json)
            WriteJson(json => { json.WriteString("event", "halt"); json.WriteString("reason", reason); });
        else
            WriteErrorLine($"fanout: halting: {reason}; starting no more jobs");
    }

    public override void JobFinished(JobResult result)
    {
        if (settings.Json)
        {
            WriteJson(json => WriteJob(json, result));
            return;
        }

        if (settings.KeepOrder)
            Release(result.Sequence, result);
        else
            Print(result);
    }

    /// <summary>Prints what -k still holds back (after an interrupted run).</summary>
    internal void Flush()
    {
        foreach (var result in _waiting.Values)
        {
            if (result is not null)
                Print(result);
        }

        _waiting.Clear();
    }

    internal static void WriteJob(Utf8JsonWriter json, JobResult result)
    {
        json.WriteString("event", "job");
        json.WriteString("id", result.Job.Id);
        json.WriteNumber("seq", result.Sequence);
        json.WriteString("command", result.Job.CommandLine);
        json.WriteString("outcome", result.Outcome.ToString());
        if (result.Status?.ExitCode is { } code)
            json.WriteNumber("exit", code);
        else
            json.WriteNull("exit");
        if (result.Status?.Signal is { } signal)
            json.WriteString("signal", signal.Name);
        else
            json.WriteNull("signal");
        json.WriteNumber("runtime", Math.Round(result.Runtime.TotalSeconds, 3));
        json.WriteNumber("attempts", result.Attempts);
        json.WriteString("host", result.Host);
        json.WriteString("stdout", Encoding.UTF8.GetString(result.Stdout));
        json.WriteString("stderr", Encoding.UTF8.GetString(result.Stderr));
        if (result.Error is not null)
            json.WriteString("error", result.Error);
    }

    internal void WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        lock (TerminalLock.Gate)
        {
            progress.Clear();
            stdout.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            stdout.Flush();
        }
    }

    private void Release(long sequence, JobResult? result)
    {
        _waiting[sequence] = result;
        while (_waiting.Remove(_nextInOrder, out var next))
        {
            if (next is not null)
                Print(next);
            _nextInOrder++;
        }
    }

    private void Print(JobResult result)
    {
        var tag = Tag(result.Job, result.Sequence);
        _slots.TryRemove(result.Sequence, out _);
        if (result.Stdout.Length == 0 && result.Stderr.Length == 0)
            return;
        lock (TerminalLock.Gate)
        {
            progress.Clear();
            WriteTagged(stdout, result.Stdout, tag);
            WriteTagged(stderr, result.Stderr, tag);
        }
    }

    private static void WriteTagged(Stream stream, byte[] output, string tag)
    {
        if (output.Length == 0)
            return;
        if (tag.Length == 0)
        {
            stream.Write(output);
        }
        else
        {
            var prefix = Encoding.UTF8.GetBytes(tag);
            var start = 0;
            while (start < output.Length)
            {
                var end = Array.IndexOf(output, (byte)'\n', start);
                var stop = end < 0 ? output.Length : end + 1;
                stream.Write(prefix);
                stream.Write(output, start, stop - start);
                start = stop;
            }
        }

        stream.Flush();
    }

    private string Tag(JobSpec job, long sequence) => TagPrefix(settings, job, _slots.TryGetValue(sequence, out var slot) ? slot : 1);

    /// <summary>What --tag or --tagstring puts before each of a job's lines, for the slot it ran in: the tag and a tab; nothing without them.</summary>
    internal static string TagPrefix(RunSettings settings, JobSpec job, int slot) =>
        !settings.Tag ? "" : (job.TagForSlot?.Invoke(slot) ?? job.Tag ?? string.Join(' ', job.Arguments.IsEmpty ? [job.Id] : job.Arguments.AsEnumerable())) + "\t";

    private void WriteErrorLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (TerminalLock.Gate)
        {
            progress.Clear();
            stderr.Write(bytes);
            stderr.Flush();
        }
    }
}
