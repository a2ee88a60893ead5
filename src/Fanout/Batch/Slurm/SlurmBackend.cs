using System.Globalization;
using System.Text;

namespace Fanout.Batch;

/// <summary>
/// Runs a batch's jobs on a Slurm cluster. Attempts handed to it are gathered for a moment and
/// submitted together as job arrays (chunked to the cluster's MaxArraySize, grouped by the
/// resources they ask for); each array task runs a small wrapper that writes the task's exit code,
/// start, end and node into a status file in a shared folder, so results never depend on
/// accounting. The backend learns the state of everything it submitted with one <c>squeue</c> call
/// per poll interval, whatever the number of jobs, and cancels with one <c>scancel</c> per interval.
/// <para>
/// Protocol: <see cref="RunAsync"/> only queues an attempt and returns its completion; one
/// background loop owns submission, polling and cancelling, and completes the attempts. A task
/// Slurm reports finished without a status file is settled after <see cref="SlurmOptions.StatusGrace"/>
/// (file systems lag), never resubmitted.
/// </para>
/// </summary>
public sealed class SlurmBackend : IJobBackend, IAsyncDisposable
{
    private readonly SlurmOptions _options;
    private readonly string _folder;
    private readonly Lock _lock = new();
    private readonly List<SlurmTask> _pending = [];
    private readonly List<SlurmTask> _active = [];
    private readonly HashSet<string> _toCancel = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _arrays;
    private int? _maxArraySize;
    private DateTime _lastPoll = DateTime.MinValue;

    // The array being submitted and what gives up its retries once every task of it is cancelled.
    private (SlurmTask[] Tasks, CancellationTokenSource GiveUp)? _submitting;
    private Dictionary<string, List<(string Folder, int Index, string JobId)>>? _earlier;
    private readonly List<(string JobId, int Tasks)> _submitted = [];

    /// <summary>Creates a backend; nothing is submitted until jobs come.</summary>
    public SlurmBackend(SlurmOptions? options = null)
    {
        _options = options ?? new SlurmOptions();
        _folder = Path.Combine(Path.GetFullPath(_options.StateDirectory), $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
    }

    /// <inheritdoc />
    public string Host => "slurm";

    /// <summary>
    /// True: a job's time limit goes to Slurm as <c>--time</c> (see <see cref="SlurmTimeLimit"/>), so
    /// it counts from when the job starts on a node, not from when it was queued. A job Slurm ends
    /// at its limit is reported stopped, as a local job stopped at its limit is.
    /// </summary>
    public bool EnforcesTimeLimits => true;

    /// <summary>How many times <c>sbatch</c> was called.</summary>
    public int SubmitCalls { get; private set; }

    /// <summary>The job id and number of tasks of every array submitted, in order.</summary>
    public IReadOnlyList<(string JobId, int Tasks)> SubmittedArrays => _submitted;

    /// <summary>How many times <c>squeue</c> was called.</summary>
    public int StatusCalls { get; private set; }

    /// <summary>The folder this run's task scripts, outputs and status files are in.</summary>
    public string Folder => _folder;

    /// <inheritdoc />
    public Task<AttemptResult> RunAsync(JobAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (attempt.Job.StandardInput is not null || attempt.Job.StandardInputWriter is not null)
        {
            return Task.FromResult(new AttemptResult(null, false, DateTimeOffset.Now, TimeSpan.Zero, [], [], null,
                "a Slurm job reads no standard input from fanout; put its input in a file on the shared file system and name the file in the command"));
        }

        var task = new SlurmTask(attempt);
        lock (_lock)
        {
            if (attempt.Attempt == 1 && TryAdopt(task))
                _active.Add(task);
            else
                _pending.Add(task);
            _loop ??= Task.Run(LoopAsync, CancellationToken.None);
        }

        cancellationToken.Register(() => Cancel(task));
        return task.Done.Task;
    }

    /// <summary>Cancels whatever is still queued or running, and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var task in _pending)
                task.Done.TrySetResult(Stopped(task, null));
            _pending.Clear();
            foreach (var task in _active)
                _toCancel.Add(task.SlurmId);
        }

        await CancelRequestedAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>Points the task at an earlier run's task for the same command, if one may be adopted.</summary>
    private bool TryAdopt(SlurmTask task)
    {
        if (_options.AdoptEarlierTasks == ResumeMode.None)
            return false;
        _earlier ??= IndexEarlierTasks();
        if (!_earlier.TryGetValue(task.Attempt.CommandLine, out var candidates))
            return false;
        for (var i = 0; i < candidates.Count; i++)
        {
            var (folder, index, jobId) = candidates[i];
            var status = Path.Combine(folder, $"status-{index}");
            if (_options.AdoptEarlierTasks == ResumeMode.ResumeFailed && File.Exists(status) && File.ReadAllText(status).Split(' ')[0] != "0")
                continue;
            candidates.RemoveAt(i);
            task.JobId = jobId;
            task.Index = index;
            task.Folder = folder;
            task.Submitted = DateTime.UtcNow;
            return true;
        }

        return false;
    }

    private Dictionary<string, List<(string Folder, int Index, string JobId)>> IndexEarlierTasks()
    {
        var index = new Dictionary<string, List<(string, int, string)>>(StringComparer.Ordinal);
        var root = Path.GetDirectoryName(_folder)!;
        if (!Directory.Exists(root))
            return index;
        foreach (var tasks in Directory.EnumerateFiles(root, "tasks.tsv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(tasks))
            {
                var fields = line.Split('\t', 3);
                if (fields.Length != 3 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out var i))
                    continue;
                var command = Joblog.Unescape(fields[2]);
                if (!index.TryGetValue(command, out var list))
                    index[command] = list = [];
                list.Add((Path.GetDirectoryName(tasks)!, i, fields[1]));
            }
        }

        return index;
    }

    private void Cancel(SlurmTask task)
    {
        CancellationTokenSource? giveUp = null;
        lock (_lock)
        {
            if (_pending.Remove(task))
            {
                task.Done.TrySetResult(Stopped(task, null));
                return;
            }

            if (task.Done.Task.IsCompleted)
                return;
            task.CancelRequested = true;
            // A task being submitted right now is cancelled as soon as it has its job id.
            if (task.JobId is not null)
                _toCancel.Add(task.SlurmId);
            // Nobody wants the array being submitted any more: stop retrying a full queue for it.
            if (_submitting is { } submitting && Array.TrueForAll(submitting.Tasks, t => t.CancelRequested))
                giveUp = submitting.GiveUp;
        }

        // Outside the lock: what the cancellation wakes takes the lock itself.
        try
        {
            giveUp?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The submission ended meanwhile.
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(_options.SubmitDelay, _stop.Token).ConfigureAwait(false);
            await SubmitPendingAsync().ConfigureAwait(false);
            await ServiceAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends the cancellations asked for, and polls when a poll is due.</summary>
    private async Task ServiceAsync()
    {
        await CancelRequestedAsync().ConfigureAwait(false);
        if (DateTime.UtcNow - _lastPoll >= _options.PollInterval)
        {
            _lastPoll = DateTime.UtcNow;
            await PollAsync().ConfigureAwait(false);
        }
    }

    private async Task SubmitPendingAsync()
    {
        List<SlurmTask> batch;
        lock (_lock)
        {
            if (_pending.Count == 0)
                return;
            batch = [.. _pending];
            _pending.Clear();
        }

        var maxArray = _maxArraySize ??= await SlurmCommands.ReadMaxArraySizeAsync().ConfigureAwait(false);
        foreach (var group in batch.GroupBy(t => (t.Attempt.Job.Cpus, t.Attempt.Job.MemoryBytes, TimeLimit(t.Attempt))))
        {
            foreach (var chunk in group.Chunk(maxArray))
            {
                // Cancelled while earlier arrays were being submitted (Ctrl-C in a large batch): never submit them.
                var wanted = chunk.Where(t => !t.CancelRequested).ToArray();
                foreach (var cancelled in chunk.Where(t => t.CancelRequested))
                    cancelled.Done.TrySetResult(Stopped(cancelled, null));
                if (wanted.Length > 0)
                    await SubmitArrayAsync(wanted, group.Key.Cpus, group.Key.MemoryBytes, group.Key.Item3).ConfigureAwait(false);

                // Between arrays, send cancellations and poll, so a big submission neither deafens the
                // loop nor, on a full queue, waits for room that only those cancellations would make.
                await ServiceAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task SubmitArrayAsync(SlurmTask[] tasks, int cpus, long? memory, int? minutes)
    {
        var folder = Path.Combine(_folder, $"array{++_arrays}");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < tasks.Length; i++)
            await File.WriteAllTextAsync(Path.Combine(folder, $"task-{i}.sh"), TaskScript(tasks[i].Attempt)).ConfigureAwait(false);
        var wrapper = Path.Combine(folder, "run.sh");
        await File.WriteAllTextAsync(wrapper, WrapperScript).ConfigureAwait(false);

        List<string> args =
        [
            "--job-name=fanout", "--kill-on-invalid-dep=yes",
            $"--array=0-{tasks.Length - 1}{(_options.Throttle is { } throttle ? $"%{throttle}" : "")}",
            $"--output={folder}/task-%a.out", $"--error={folder}/task-%a.err",
            $"--cpus-per-task={cpus}",
        ];
        if (memory is { } bytes)
            args.Add($"--mem={Math.Max(1, bytes / (1024 * 1024))}M");
        if (minutes is { } m)
            args.Add($"--time={m}");
        if (_options.Partition is not null)
            args.Add($"--partition={_options.Partition}");
        if (_options.Account is not null)
            args.Add($"--account={_options.Account}");
        args.AddRange(_options.SbatchArguments);

        string jobId;
        using var giveUp = new CancellationTokenSource();
        lock (_lock)
            _submitting = (tasks, giveUp);
        try
        {
            jobId = await SlurmCommands.SubmitAsync(args, [wrapper, folder], () => SubmitCalls++, giveUp.Token).ConfigureAwait(false);
        }
        catch (SlurmSubmitException e)
        {
            Fail(tasks, e.Message);
            return;
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            // Every task was cancelled while sbatch was being retried: nothing was submitted.
            foreach (var task in tasks)
                task.Done.TrySetResult(Stopped(task, null));
            return;
        }
        finally
        {
            lock (_lock)
                _submitting = null;
        }

        _submitted.Add((jobId, tasks.Length));
        // What a later run needs to adopt these tasks if this one dies before recording them.
        await File.WriteAllLinesAsync(Path.Combine(folder, "tasks.tsv"),
            tasks.Select((t, i) => $"{i}\t{jobId}\t{Joblog.Escape(t.Attempt.CommandLine)}")).ConfigureAwait(false);
        lock (_lock)
        {
            for (var i = 0; i < tasks.Length; i++)
            {
                tasks[i].JobId = jobId;
                tasks[i].Index = i;
                tasks[i].Folder = folder;
                tasks[i].Submitted = DateTime.UtcNow;
                if (tasks[i].CancelRequested)
                    _toCancel.Add(tasks[i].SlurmId);
                _active.Add(tasks[i]);
            }
        }
    }

    private async Task PollAsync()
    {
        List<SlurmTask> active;
        lock (_lock)
            active = [.. _active];
        if (active.Count == 0)
            return;

        StatusCalls++;
        // Null when the controller did not answer this time; status files still settle what finished.
        var states = await SlurmCommands.QueryStatesAsync(active.Select(t => t.JobId!)).ConfigureAwait(false);

        var now = DateTime.UtcNow;
        foreach (var task in active)
        {
            var state = states is null ? null : SlurmCommands.StateOf(states, task.JobId!, task.Index);
            var statusFile = Path.Combine(task.Folder!, $"status-{task.Index}");
            if (File.Exists(statusFile))
            {
                var (finished, gotTerm) = await ReadFinishedAsync(task, statusFile).ConfigureAwait(false);
                if (!gotTerm || task.CancelRequested)
                {
                    Complete(task, finished);
                    continue;
                }

                // SIGTERM reached the task: Slurm's time limit, or an scancel or kill from outside. Slurm says which.
                if (state is { HitTimeLimit: true })
                {
                    Complete(task, finished with { Stopped = true, Stderr = WithoutTimeLimitNotice(finished.Stderr) });
                    continue;
                }

                task.EndSeen ??= now;
                if ((states is null || state is { IsLive: true }) && now - task.EndSeen < _options.StatusGrace)
                    continue;
                Complete(task, finished);
                continue;
            }

            if (states is null)
                continue;
            if (state is { IsLive: true })
            {
                task.EndSeen = null;
                continue;
            }

            task.EndSeen ??= now;
            var settleNow = state is { State: "CANCELLED" } && task.CancelRequested;
            if (!settleNow && now - task.EndSeen < _options.StatusGrace)
                continue;
            var timedOut = state is { HitTimeLimit: true };
            var stopped = timedOut || task.CancelRequested;
            // At its time limit a task that outlives SIGTERM gets SIGKILL after KillWait, which the wrapper cannot record:
            // the same end as a local job killed after its grace period.
            ExitStatus? status = timedOut ? ExitStatus.Signaled(Signal.Kill) : null;
            var reason = state is { } known ? $"Slurm reports the task {known.State} and it wrote no status file" : "Slurm no longer knows the task and it wrote no status file";
            var stderr = await ReadAsync(task, "err").ConfigureAwait(false);
            Complete(task, new AttemptResult(status, stopped, task.StartTime, now - task.Submitted, await ReadAsync(task, "out").ConfigureAwait(false),
                timedOut ? WithoutTimeLimitNotice(stderr) : stderr, null, stopped ? null : reason));
        }
    }

    private Task CancelRequestedAsync() => SlurmCommands.CancelRequestedAsync(_toCancel, _lock);

    /// <summary>The attempt as the wrapper's status file tells it, and whether the wrapper received SIGTERM.</summary>
    private static async Task<(AttemptResult Result, bool GotTerm)> ReadFinishedAsync(SlurmTask task, string statusFile)
    {
        var fields = (await File.ReadAllTextAsync(statusFile).ConfigureAwait(false)).Trim().Split(' ');
        var code = int.Parse(fields[0], CultureInfo.InvariantCulture);
        var start = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(fields[1], CultureInfo.InvariantCulture) * 1000));
        var end = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(fields[2], CultureInfo.InvariantCulture) * 1000));
        // The wrapper's shell reports a signal death as 128 + n, as every shell does.
        var status = code is > 128 and <= 128 + 64 ? ExitStatus.Signaled(Signal.FromNumber(code - 128)) : ExitStatus.Exited(code);
        var result = new AttemptResult(status, task.CancelRequested, start, end - start, await ReadAsync(task, "out").ConfigureAwait(false),
            await ReadAsync(task, "err").ConfigureAwait(false), null, null, fields.Length > 3 ? fields[3] : null);
        return (result, fields.Length > 4 && fields[4] == "TERM");
    }

    /// <summary>
    /// The job's stderr without the line slurmstepd adds to it at the time limit
    /// (<c>slurmstepd: error: *** JOB 12 ON node CANCELLED AT … DUE TO TIME LIMIT ***</c>): the outcome says
    /// so already, and the job's own output is then what a local timeout leaves.
    /// </summary>
    private static byte[] WithoutTimeLimitNotice(byte[] stderr)
    {
        // Byte by byte, so output that is not UTF-8 passes through unchanged.
        using var kept = new MemoryStream(stderr.Length);
        var rest = stderr.AsSpan();
        while (rest.Length > 0)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..(end + 1)];
            if (!(line.StartsWith("slurmstepd"u8) && line.IndexOf("DUE TO TIME LIMIT ***"u8) >= 0))
                kept.Write(line);
            rest = rest[line.Length..];
        }

        return kept.Length == stderr.Length ? stderr : kept.ToArray();
    }

    private static async Task<byte[]> ReadAsync(SlurmTask task, string stream)
    {
        var path = Path.Combine(task.Folder!, $"task-{task.Index}.{stream}");
        return File.Exists(path) ? await File.ReadAllBytesAsync(path).ConfigureAwait(false) : [];
    }

    private void Complete(SlurmTask task, AttemptResult result)
    {
        lock (_lock)
            _active.Remove(task);
        task.Done.TrySetResult(result);
    }

    private static void Fail(SlurmTask[] tasks, string error)
    {
        foreach (var task in tasks)
            task.Done.TrySetResult(new AttemptResult(null, false, DateTimeOffset.Now, TimeSpan.Zero, [], [], null, error));
    }

    private static AttemptResult Stopped(SlurmTask task, string? error) =>
        new(null, true, task.StartTime, TimeSpan.Zero, [], [], null, error);

    private static int? TimeLimit(JobAttempt attempt) => attempt.TimeLimit is { } limit ? SlurmTimeLimit.Minutes(limit) : null;

    private static string TaskScript(JobAttempt attempt)
    {
        var job = attempt.Job;
        var script = new StringBuilder("# Written by fanout: one job of the batch.\n");
        script.Append("exec 2>&3 3>&-\n"); // the real stderr, which the wrapper kept on descriptor 3
        if (job.WorkingDirectory is not null)
            script.Append("cd ").Append(ShellQuoting.Quote(Path.GetFullPath(job.WorkingDirectory))).Append(" || exit 127\n");
        else
            script.Append("cd ").Append(ShellQuoting.Quote(Environment.CurrentDirectory)).Append(" || exit 127\n");
        foreach (var (name, value) in job.Environment.Append(new("FANOUT_SEQ", attempt.Sequence.ToString(CultureInfo.InvariantCulture)))
                     .Append(new("FANOUT_SLOT", attempt.Slot.ToString(CultureInfo.InvariantCulture)))
                     .Append(new("PARALLEL_SEQ", attempt.Sequence.ToString(CultureInfo.InvariantCulture)))
                     .Append(new("PARALLEL_JOBSLOT", attempt.Slot.ToString(CultureInfo.InvariantCulture))))
            script.Append("export ").Append(name).Append('=').Append(ShellQuoting.Quote(value)).Append('\n');
        // The very process the local backend starts (the program itself, or /bin/sh -c for shell code), through exec:
        // no shell is left waiting to print "Terminated" into the job's stderr when Slurm ends it.
        var spec = (job with { CommandLine = attempt.CommandLine }).ToProcessSpec();
        script.Append("exec ").Append(ShellQuoting.Join([spec.Program, .. spec.Arguments])).Append('\n');
        return script.ToString();
    }

    private const string WrapperScript = """
        #!/bin/sh
        # Written by fanout: runs one array task and records how it ended, independently of Slurm's accounting.
        dir=$1
        i=$SLURM_ARRAY_TASK_ID
        # Slurm ends a task at its time limit (and on scancel) with SIGTERM, then SIGKILL after KillWait.
        # Trapped, SIGTERM no longer ends this shell before it records how the job ended, and that it came;
        # the runner asks Slurm whether it was the time limit.
        term=-
        trap 'term=TERM' TERM
        start=$(date +%s.%N)
        host=$(hostname)
        # This shell's stderr goes to /dev/null, or it would add "Terminated" to the job's when Slurm ends it;
        # the real one waits on descriptor 3, and the task script takes it back.
        exec 3>&2 2>/dev/null
        sh "$dir/task-$i.sh" </dev/null
        code=$?
        end=$(date +%s.%N)
        printf '%s %s %s %s %s\n' "$code" "$start" "$end" "$host" "$term" > "$dir/status-$i.tmp" && mv "$dir/status-$i.tmp" "$dir/status-$i"
        exit $code
        """;

    private sealed class SlurmTask(JobAttempt attempt)
    {
        internal JobAttempt Attempt { get; } = attempt;

        internal TaskCompletionSource<AttemptResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal DateTimeOffset StartTime { get; } = DateTimeOffset.Now;

        internal string? JobId { get; set; }

        internal int Index { get; set; }

        internal string? Folder { get; set; }

        internal DateTime Submitted { get; set; }

        internal DateTime? EndSeen { get; set; }

        internal bool CancelRequested { get; set; }

        internal string SlurmId => $"{JobId}_{Index}";
    }
}
