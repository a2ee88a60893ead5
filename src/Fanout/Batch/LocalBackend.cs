using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fanout.Batch;

/// <summary>Runs jobs as child processes of this one, each in its own process group.</summary>
public sealed class LocalBackend : IJobBackend
{
    private readonly string? _temporaryDirectory;

    /// <param name="temporaryDirectory">Where the files and named pipes of <see cref="InputDelivery"/> are made; null for the system's temporary folder.</param>
    public LocalBackend(string? temporaryDirectory = null) => _temporaryDirectory = temporaryDirectory;

    /// <inheritdoc />
    public string Host { get; } = Environment.MachineName;

    /// <summary>
    /// True: the limit is armed once the child has started, so a job stopped at its limit has run
    /// for the whole limit (spawning on a busy machine does not eat into it).
    /// </summary>
    public bool EnforcesTimeLimits => true;

    /// <inheritdoc />
    public async Task<AttemptResult> RunAsync(JobAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var startTime = DateTimeOffset.Now;
        var clock = Stopwatch.StartNew();
        JobInputFile? inputFile;
        try
        {
            inputFile = JobInputFile.Create(attempt.Job, _temporaryDirectory);
        }
        catch (IOException e)
        {
            return new AttemptResult(null, false, startTime, clock.Elapsed, [], [], null, e.Message);
        }

        try
        {
            return await RunChildAsync(attempt, inputFile, startTime, clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (inputFile is not null)
                await inputFile.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<AttemptResult> RunChildAsync(JobAttempt attempt, JobInputFile? inputFile, DateTimeOffset startTime, Stopwatch clock, CancellationToken cancellationToken)
    {
        // A writer gets a pipe of its own, not the child's stdin pipe, so that Communicate leaves it open.
        using var streamed = attempt.Job.StandardInputWriter is not null ? new StreamedInput() : null;
        var spec = (attempt.Job with { CommandLine = attempt.CommandLine }).ToProcessSpec()
            .WithStdin(streamed is not null ? Stdio.FromHandle(streamed.ChildEnd)
                : attempt.Job.StandardInput is null || inputFile is not null ? Stdio.Null : Stdio.Pipe);
        if (inputFile is not null)
            spec = spec.WithEnvironment(JobSpec.InputFileVariable, inputFile.Path);
        spec = (attempt.Uncaptured ? spec.WithStdout(Stdio.Inherit).WithStderr(Stdio.Inherit) : spec.WithCapturedOutput())
            .WithStopGracePeriod(attempt.GracePeriod)
            .WithKillOnParentExit(attempt.KillIfRunnerDies)
            .WithEnvironment("FANOUT_SEQ", attempt.Sequence.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("FANOUT_SLOT", attempt.Slot.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("PARALLEL_SEQ", attempt.Sequence.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("PARALLEL_JOBSLOT", attempt.Slot.ToString(CultureInfo.InvariantCulture));
        ChildProcess child;
        try
        {
            child = spec.Start();
            inputFile?.Feed(child);
            streamed?.Started();
        }
        catch (ProcessStartException e)
        {
            if (attempt.Job.StandardInputWriter is { } writer)
                await StreamedInput.AbandonAsync(writer).ConfigureAwait(false);
            return new AttemptResult(null, false, startTime, clock.Elapsed, [], [], null, e.Reason);
        }

        var armed = attempt.TimeLimit <= TimeoutPolicy.LongestLimit;
        using var limited = armed ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        if (armed && attempt.TimeLimit is { } timeLimit)
            limited!.CancelAfter(timeLimit);
        var stop = limited?.Token ?? cancellationToken;
        using (child)
        {
            streamed?.StartWriting(attempt.Job.StandardInputWriter!, stop);
            try
            {
                var input = inputFile is null ? attempt.Job.StandardInput ?? default : default;
                if (attempt.Uncaptured || attempt.OnLine is not null)
                {
                    // Output goes elsewhere as it comes (straight to our stdout, or line by line): the result carries none.
                    await Task.WhenAll(attempt.Uncaptured || attempt.OnLine is not { } onLine
                        ? [WriteInput(child, input, stop)]
                        : [WriteInput(child, input, stop), ForwardLines(child.StandardOutput!, line => onLine(line, false), stop),
                            ForwardLines(child.StandardError!, line => onLine(line, true), stop)]).ConfigureAwait(false);
                    var status = await child.WaitAsync(stop).ConfigureAwait(false);
                    await FinishWritingAsync(streamed).ConfigureAwait(false);
                    return Sent(new AttemptResult(status, false, startTime, clock.Elapsed, [], [], child.Usage, null));
                }

                var result = await child.CommunicateAsync(input, cancellationToken: stop).ConfigureAwait(false);
                await FinishWritingAsync(streamed).ConfigureAwait(false);
                return Sent(new AttemptResult(result.Status, false, startTime, clock.Elapsed, result.Stdout, result.Stderr, result.Usage, null));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                using var killNow = attempt.KillNow.Register(() => child.SendSignal(Signal.Kill, entireGroup: true));
                var status = await child.StopAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await FinishWritingAsync(streamed).ConfigureAwait(false);
                CompletedProcess? rest = null;
                if (attempt.OnLine is null && !attempt.Uncaptured)
                {
                    try
                    {
                        rest = await child.CommunicateAsync(timeout: TimeSpan.FromMilliseconds(250), cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (ProcessTimeoutException e)
                    {
                        // Something outside its group still holds the pipes: keep what came.
                        rest = new CompletedProcess(child.Spec, child.Pid, status, child.Usage, e.Stdout, e.Stderr);
                    }
                }

                return Sent(new AttemptResult(status, true, startTime, clock.Elapsed, rest?.Stdout ?? [], rest?.Stderr ?? [], child.Usage, null));
            }
        }

        AttemptResult Sent(AttemptResult result) => streamed is null ? result : result with { BytesSent = streamed.BytesWritten };
    }

    private static Task FinishWritingAsync(StreamedInput? streamed) => streamed?.FinishAsync() ?? Task.CompletedTask;

    /// <summary>Writes the job's input and closes its stdin; a job that stops reading early (head -1) just stops the writing.</summary>
    private static async Task WriteInput(ChildProcess child, ReadOnlyMemory<byte> input, CancellationToken stop)
    {
        if (child.StandardInput is not { } stdin)
            return;
        try
        {
            await stdin.WriteAsync(input, stop).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        finally
        {
            await stdin.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hands on each line as it comes, with its newline: split at <c>\n</c> alone, so a <c>\r</c>
    /// (a progress counter redrawing itself) stays in its line as the job wrote it, and a last line
    /// without a newline is handed on without one.
    /// </summary>
    private static async Task ForwardLines(Stream stream, Action<string> onLine, CancellationToken stop)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 16 * 1024, leaveOpen: true);
        var buffer = new char[16 * 1024];
        var pending = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), stop).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var newline = Array.IndexOf(buffer, '\n', 0, read); newline >= 0; newline = Array.IndexOf(buffer, '\n', start, read - start))
            {
                pending.Append(buffer, start, newline + 1 - start);
                onLine(pending.ToString());
                pending.Clear();
                start = newline + 1;
            }

            pending.Append(buffer, start, read - start);
        }

        if (pending.Length > 0)
            onLine(pending.ToString());
    }
}
