using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fanout.Batch;

namespace Fanout;

public sealed partial class SlurmExecutor
{
    private int? _maxArraySize;
    private int _arrays;
    private string? _script;

    /// <summary>Queues a call for the loop, which submits it with whatever else comes within the submit delay.</summary>
    private void Enqueue(PoolJob job)
    {
        var call = new SlurmCall(job);
        lock (_lock)
        {
            if (_shutdown)
                throw new InvalidOperationException("Cannot schedule new calls: this SlurmExecutor was shut down (Shutdown(), Terminate() or Dispose()). Create a new one.");
            _unsubmitted.Add(call);
            EnsureLoop();
        }

        job.Future.AddDoneCallback(future =>
        {
            if (future.IsCancelled)
                Withdraw(call);
        });
    }

    /// <summary>A cancelled call: dropped if not submitted yet, else its array task is cancelled by the loop.</summary>
    private void Withdraw(SlurmCall call)
    {
        lock (_lock)
        {
            if (_unsubmitted.Remove(call))
                return;
            call.CancelRequested = true;
            // A call being submitted right now is cancelled by the loop as soon as it has its job id.
            if (call.JobId is null)
                return;
            _active.Remove(call);
            _toCancel.Add(call.SlurmId);
            EnsureLoop();
        }
    }

    /// <summary>The kill behind <see cref="Future.CancelOrKill"/> on a running call: its job is cancelled.</summary>
    private bool Kill(SlurmCall call)
    {
        Withdraw(call);
        return true;
    }

    private void EnsureLoop()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "The loop is started under the lock.");
        _loop ??= Task.Run(LoopAsync);
    }

    /// <summary>Completes when nothing is left to submit, cancel or wait for.</summary>
    private async Task DrainAsync()
    {
        while (true)
        {
            Task? loop;
            lock (_lock)
                loop = _loop;
            if (loop is null)
                return;
            await loop.ConfigureAwait(false);
        }
    }

    private async Task LoopAsync()
    {
        var lastPoll = DateTime.MinValue;
        try
        {
            while (true)
            {
                await Task.Delay(Options.SubmitDelay).ConfigureAwait(false);
                await SubmitPendingAsync().ConfigureAwait(false);
                await CancelRequestedAsync().ConfigureAwait(false);
                if (DateTime.UtcNow - lastPoll >= Options.PollInterval)
                {
                    lastPoll = DateTime.UtcNow;
                    await PollAsync().ConfigureAwait(false);
                }

                lock (_lock)
                {
                    if (_unsubmitted.Count == 0 && _active.Count == 0 && _toCancel.Count == 0)
                    {
                        _loop = null;
                        return;
                    }
                }
            }
        }
#pragma warning disable CA1031 // The loop must never end silently: the calls it owns fail with the reason instead of hanging.
        catch (Exception e)
#pragma warning restore CA1031
        {
            List<SlurmCall> orphans;
            lock (_lock)
            {
                orphans = [.. _unsubmitted, .. _submitting, .. _active];
                _unsubmitted.Clear();
                _submitting.Clear();
                _active.Clear();
                _loop = null;
                _anyFailed = true;
            }

            var failure = new FanoutException($"The SlurmExecutor stopped following its jobs: {e.Message}", e);
            foreach (var call in orphans)
                call.Job.Fail(failure);
        }
    }

    private async Task SubmitPendingAsync()
    {
        SlurmCall[] batch;
        lock (_lock)
        {
            if (_unsubmitted.Count == 0)
                return;
            batch = [.. _unsubmitted];
            _unsubmitted.Clear();
            _submitting.AddRange(batch);
        }

        try
        {
            var maxArray = _maxArraySize ??= await SlurmCommands.ReadMaxArraySizeAsync().ConfigureAwait(false);
            foreach (var chunk in batch.Chunk(maxArray))
            {
                // Cancelled while earlier arrays were being submitted: never submit them.
                var wanted = chunk.Where(c => !c.Job.Future.IsDone).ToArray();
                if (wanted.Length > 0)
                    await SubmitArrayAsync(wanted).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_lock)
                _submitting.Clear();
        }
    }

    private async Task SubmitArrayAsync(SlurmCall[] calls)
    {
        var folder = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"array{++_arrays}"));
        Directory.CreateDirectory(folder);
        if (_script is null)
        {
            _script = Path.Combine(Folder, "run.sh");
            await File.WriteAllTextAsync(_script, WorkerScript()).ConfigureAwait(false);
        }

        for (var i = 0; i < calls.Length; i++)
        {
            var job = calls[i].Job;
            // Every file names its target: any task can run on any node, with no earlier message.
            await File.WriteAllBytesAsync(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"task-{i}.json")),
                PoolWire.Task(1, job.Target.Reference, job.Target.Instance, job.Items)).ConfigureAwait(false);
        }

        string jobId;
        try
        {
            jobId = await SlurmCommands.SubmitAsync(SbatchOptions(folder, calls.Length), [_script, folder], () => Interlocked.Increment(ref _submitCalls))
                .ConfigureAwait(false);
        }
        catch (SlurmSubmitException e)
        {
            lock (_lock)
                _anyFailed = true;
            foreach (var call in calls)
                call.Job.Fail(e);
            return;
        }

        lock (_lock)
        {
            _jobIds.Add(jobId);
            for (var i = 0; i < calls.Length; i++)
            {
                var call = calls[i];
                call.JobId = jobId;
                call.Index = i;
                call.Folder = folder;
                if (call.CancelRequested)
                    _toCancel.Add(call.SlurmId);
                else
                    _active.Add(call);
            }
        }
    }

    private List<string> SbatchOptions(string folder, int tasks)
    {
        List<string> options =
        [
            $"--job-name={Options.JobName}",
            string.Create(CultureInfo.InvariantCulture, $"--array=0-{tasks - 1}"),
            $"--output={folder}/task-%a.out", $"--error={folder}/task-%a.err",
            string.Create(CultureInfo.InvariantCulture, $"--cpus-per-task={Options.CpusPerTask}"),
        ];
        if (Options.MemoryPerTask is { } bytes)
            options.Add(string.Create(CultureInfo.InvariantCulture, $"--mem={Math.Max(1, bytes / (1024 * 1024))}M"));
        if (Options.TimePerTask is { } time)
            options.Add(string.Create(CultureInfo.InvariantCulture, $"--time={SlurmTimeLimit.Minutes(time)}"));
        if (Options.Partition is not null)
            options.Add($"--partition={Options.Partition}");
        if (Options.Account is not null)
            options.Add($"--account={Options.Account}");
        options.AddRange(Options.SbatchArguments);
        return options;
    }

    private Task CancelRequestedAsync() => SlurmCommands.CancelRequestedAsync(_toCancel, _lock);

    /// <summary>
    /// One <c>squeue</c> for every outstanding job, then each call is settled: by its result file
    /// when there is one, as timed out when Slurm says TIMEOUT, as lost when Slurm has listed it as
    /// ended (or not at all) for longer than the grace period without a result file.
    /// </summary>
    private async Task PollAsync()
    {
        SlurmCall[] active;
        lock (_lock)
            active = [.. _active];
        if (active.Length == 0)
            return;

        Interlocked.Increment(ref _statusCalls);
        var states = await SlurmCommands.QueryStatesAsync(active.Select(c => c.JobId!)).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        foreach (var call in active)
        {
            var future = call.Job.Future;
            if (future.IsDone)
                continue;
            if (File.Exists(call.ResultFile))
            {
                await SettleFromResultAsync(call).ConfigureAwait(false);
                continue;
            }

            if (states is null)
                continue; // the controller did not answer this time
            var state = SlurmCommands.StateOf(states, call.JobId!, call.Index);
            if (state?.State is "RUNNING" or "COMPLETING" && future.State == FutureState.Pending)
                future.TrySetRunning(() => Kill(call));
            // Checked before "still live": a job Slurm is ending at its limit shows COMPLETING (reason TimeLimit) for up to KillWait.
            if (state is { HitTimeLimit: true })
            {
                var limit = Options.TimePerTask is { } t ? $" ({SlurmTimeLimit.Minutes(t)} min)" : "";
                Settle(call, failure: new TaskTimeoutException(call.Name, Options.TimePerTask ?? TimeSpan.Zero,
                    $"Slurm ended job {call.SlurmId} at its time limit{limit}, so the call has no result. Give it more with SlurmExecutorOptions.TimePerTask."));
                continue;
            }

            if (state is { IsLive: true })
            {
                call.EndSeen = null;
                continue;
            }

            call.EndSeen ??= now;

            if (now - call.EndSeen < Options.ResultGrace)
                continue;
            // Rare, so one scontrol call each: how the job ended, while Slurm still remembers it.
            var status = await SlurmCommands.ReadExitStatusAsync(call.SlurmId).ConfigureAwait(false);
            var how = state is { } ended ? $"ended {ended.State}" : "left the queue";
            Settle(call, failure: new WorkerLostException(call.Name, status ?? ExitStatus.Signaled(Signal.Kill),
                $"Slurm job {call.SlurmId} {how} ({status?.ToString() ?? "exit status unknown"}) without writing a result, so the call has none. Its output is in {call.OutputFiles}."));
        }
    }

    private async Task SettleFromResultAsync(SlurmCall call)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(call.ResultFile).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Settle(call, failure: new FanoutException($"The result of Slurm job {call.SlurmId} could not be read: {e.Message}", e));
            return;
        }

        lock (_lock)
            _active.Remove(call);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var (values, index, error) = PoolWire.ReadReply(document);
            if (error is null)
            {
                call.Job.Complete(values);
                return;
            }

            lock (_lock)
                _anyFailed = true;
            call.Job.Fail(error.ToException(call.Name, pid: null, call.Job.Count > 1 ? index : null));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Settle(call, failure: new FanoutException($"The result of Slurm job {call.SlurmId} is not a Fanout reply: {e.Message}", e));
        }
    }

    /// <summary>Fails a call; its future ignores this if it was cancelled meanwhile.</summary>
    private void Settle(SlurmCall call, Exception failure)
    {
        lock (_lock)
        {
            _active.Remove(call);
            _anyFailed = true;
        }

        call.Job.Fail(failure);
    }

    /// <summary>The batch script every array task runs: the worker host, on the task's files.</summary>
    private string WorkerScript() => $"""
        #!/bin/sh
        # Written by fanout: array task i of a SlurmExecutor runs the calls in task-i.json and writes result-i.json.
        dir=$1
        i=$SLURM_ARRAY_TASK_ID
        exec {_workerCommand} "$dir/task-$i.json" "$dir/result-$i.json" </dev/null

        """;
}
