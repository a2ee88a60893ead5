using System.Diagnostics;
using System.Threading.Channels;

namespace Fanout.Batch;

/// <summary>
/// Runs a batch of jobs: at most <see cref="BatchOptions.MaxParallel"/> at once, in input order
/// as far as dependencies allow, with retries, time limits, halting, a job log and resume.
/// <para>
/// Concurrency protocol: one loop (inside <see cref="RunAsync"/>) owns every piece of state —
/// the free slots, the running attempts, the retry queue, the counters, the job log. Attempts run
/// on the backend concurrently and report back through a channel; the loop reads the channel,
/// starts what may start, and sleeps until the next report, retry or check is due. Interruption
/// and <see cref="KillRunningJobs"/> only set flags and wake the loop.
/// </para>
/// </summary>
public sealed class BatchRunner : IDisposable
{
    /// <summary>How much of a failed job's stderr its entry in <see cref="BatchSummary.Failures"/> keeps: the last 64 KiB.</summary>
    public const int FailureStderrKept = 64 * 1024;

    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromMilliseconds(500);
    private readonly BatchOptions _options;
    private readonly BatchObserver _observer;
    private readonly IJobBackend _backend;
    // A report wakes the loop on the writer's thread rather than through one more thread-pool item:
    // writers hold no lock, and a job's completion is already off the loop's thread (Task.Run).
    private readonly Channel<Report> _reports = Channel.CreateUnbounded<Report>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly CancellationTokenSource _killNow = new();
    private readonly Stopwatch _clock = new();
    private int _started;

    // Read by Progress from other threads; written only by the loop.
    private long _total;
    private bool _totalKnown;
    private int _running;
    private int _succeeded;
    private int _failed;
    private int _skipped;

    /// <summary>Creates a runner.</summary>
    /// <param name="options">How the batch runs.</param>
    /// <param name="observer">Hears each job start and end; none by default.</param>
    /// <param name="backend">Where jobs run; local processes by default.</param>
    public BatchRunner(BatchOptions options, BatchObserver? observer = null, IJobBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParallel, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Retries, nameof(options));
        _options = options;
        _observer = observer ?? new NullObserver();
        _backend = backend ?? new LocalBackend(options.TemporaryDirectory);
    }

    /// <summary>A snapshot of the batch so far.</summary>
    public BatchProgress Progress => new(
        Volatile.Read(ref _total), Volatile.Read(ref _totalKnown), Volatile.Read(ref _running),
        Volatile.Read(ref _succeeded), Volatile.Read(ref _failed), Volatile.Read(ref _skipped), _clock.Elapsed);

    /// <inheritdoc />
    public void Dispose() => _killNow.Dispose();

    /// <summary>Checks a batch's ids and dependencies: unique ids, no unknown dependency, no cycle.</summary>
    /// <exception cref="FanoutException">The first problem found, naming the jobs.</exception>
    public static void Validate(IEnumerable<JobSpec> jobs) => _ = new GraphJobSource(jobs);

    /// <summary>Ends every running job at once with SIGKILL (a second Ctrl-C).</summary>
    public void KillRunningJobs() => _killNow.Cancel();

    /// <summary>
    /// Runs the batch to its end. Jobs without dependencies are read lazily from
    /// <paramref name="jobs"/>; when any job has dependencies, all are read first and checked.
    /// Cancelling stops starting jobs, stops the running ones (SIGTERM, grace, SIGKILL), and
    /// returns a summary marked interrupted; jobs not finished are not in the job log, so a resumed
    /// run does them.
    /// </summary>
    /// <exception cref="FanoutException">The dependencies are wrong (an unknown id, a cycle, a duplicate id), or the job log cannot be used.</exception>
    public async Task<BatchSummary> RunAsync(IEnumerable<JobSpec> jobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("A BatchRunner runs one batch; create another for the next.");
        var run = new Run(this, jobs);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    private abstract record Report;

    private sealed record AttemptDone(RunningAttempt Attempt, AttemptResult Result) : Report;

    private sealed record Wake : Report;

    private sealed class RunningAttempt(PendingJob pending, int slot, int attempt, CancellationTokenSource stop)
    {
        internal PendingJob Pending { get; } = pending;

        internal int Slot { get; } = slot;

        internal int Attempt { get; } = attempt;

        internal CancellationTokenSource Stop { get; } = stop;

        internal Stopwatch Clock { get; } = Stopwatch.StartNew();

        internal bool StoppedByRunner { get; set; }
    }

    private sealed class NullObserver : BatchObserver;

    /// <summary>The state of one batch run, owned by its loop.</summary>
    private sealed class Run
    {
        private readonly BatchRunner _runner;
        private readonly BatchOptions _options;
        private readonly JobSource _source;
        private readonly Stack<int> _freeSlots = new();
        private readonly HashSet<RunningAttempt> _running = [];
        private readonly PriorityQueue<(PendingJob Job, int Attempt), long> _retries = new();
        private readonly List<TimeSpan> _successfulRuntimes = [];
        private readonly List<JobResult> _failures = [];
        private readonly Dictionary<string, (int Finished, int Succeeded)> _previous;
        private readonly Joblog? _joblog;
        private TimeSpan _cpu;
        private int _alreadyDone;
        private long _lastSequence;
        private bool _stopStarting;
        private bool _interrupted;
        private string? _haltReason;
        private string? _recordingError;
        private int? _haltExitCode;
        private long _nextStartAllowed;
        private bool _startDelayed;
        private bool _joblogBroken;
        private bool _resultsBroken;
        private bool _tableBroken;
        private bool _observerBroken;

        internal Run(BatchRunner runner, IEnumerable<JobSpec> jobs)
        {
            _runner = runner;
            _options = runner._options;
            var list = jobs as IReadOnlyCollection<JobSpec>;
            _source = list is not null && list.Any(j => !j.DependsOn.IsEmpty) ? new GraphJobSource(list) : new StreamJobSource(jobs, _options.Halt.IsPercentage ? int.MaxValue : _options.ReadAhead);
            for (var slot = _options.MaxParallel; slot >= 1; slot--)
                _freeSlots.Push(slot);
            _previous = _options.Resume != ResumeMode.None && _options.JoblogPath is { } log ? Joblog.Read(log) : [];
            _joblog = _options.JoblogPath is { } path ? Joblog.Open(path) : null;
        }

        internal async Task<BatchSummary> ExecuteAsync(CancellationToken cancellationToken)
        {
            _runner._clock.Start();
            using var interruption = cancellationToken.Register(() =>
            {
                _interrupted = true;
                _runner._reports.Writer.TryWrite(new Wake());
            });
            using var killNow = _runner._killNow.Token.Register(() => _runner._reports.Writer.TryWrite(new Wake()));
            try
            {
                await LoopAsync().ConfigureAwait(false);
            }
            finally
            {
                _joblog?.Dispose();
            }

            _runner._clock.Stop();
            // GNU parallel's exit code under a percentage halt that was not reached: the percentage of started jobs that failed.
            if (_haltExitCode is null && _options.Halt.IsPercentage && _options.Halt.When != HaltWhen.Never && _runner._failed > 0)
                _haltExitCode = (int)Math.Ceiling(_runner._failed * 100.0 / (_runner._failed + _runner._succeeded));
            return new BatchSummary(Math.Max(_source.Known, _lastSequence), _runner._succeeded, _failures, _alreadyDone, _runner._clock.Elapsed, _cpu, _interrupted, _haltReason, _source.AllKnown, _recordingError, _haltExitCode);
        }

        private async Task LoopAsync()
        {
            var reader = _runner._reports.Reader;
            // A halt at a percentage of all jobs needs their number: as GNU parallel does, every job
            // is read before any starts (an interruption ends the wait).
            if (_options.Halt.IsPercentage)
                await Task.WhenAny(_source.SettleAsync(Timeout.InfiniteTimeSpan), reader.WaitToReadAsync().AsTask()).ConfigureAwait(false);
            while (true)
            {
                if (_interrupted && !_stopStarting)
                {
                    _stopStarting = true;
                    StopAllRunning();
                }

                var admissionBlocked = StartWhatMay();
                PublishProgress();
                if (_running.Count == 0 && (_stopStarting || (_source.Exhausted && _retries.Count == 0)))
                {
                    _source.Stop();
                    await _source.SettleAsync(SettleLimit).ConfigureAwait(false);
                    return;
                }

                var wait = NextWait(admissionBlocked);
                var readable = reader.WaitToReadAsync().AsTask();
                // A free slot with no job yet waits for the input too (a slow pipe of command lines).
                var more = !_stopStarting && !admissionBlocked && !_startDelayed && _freeSlots.Count > 0 ? _source.WaitForMoreAsync() : null;
                // The input may have ended since the check above: with nothing running, nothing else would wake us.
                if (more is null && _running.Count == 0 && _retries.Count == 0 && _source.Exhausted)
                    continue;
                if (wait is { } delay)
                    await Task.WhenAny(readable, Task.Delay(delay), more ?? readable).ConfigureAwait(false);
                else
                    await Task.WhenAny(readable, more ?? readable).ConfigureAwait(false);

                while (reader.TryRead(out var report))
                {
                    if (report is AttemptDone done)
                        OnAttemptDone(done.Attempt, done.Result);
                }

                EnforceRelativeTimeouts();
            }
        }

        /// <summary>Starts jobs while slots are free; true when one waits for memory or load.</summary>
        private bool StartWhatMay()
        {
            _startDelayed = false;
            while (!_stopStarting && _freeSlots.Count > 0)
            {
                if (_options.StartDelay > TimeSpan.Zero && Stopwatch.GetTimestamp() < _nextStartAllowed)
                {
                    _startDelayed = true;
                    return false;
                }

                if (_retries.TryPeek(out var retry, out var due) && due <= Stopwatch.GetTimestamp())
                {
                    if (!Admitted(retry.Job.Job))
                        return true;
                    _retries.Dequeue();
                    StartAttempt(retry.Job, retry.Attempt);
                    continue;
                }

                if (!TryTakeNew(out var pending))
                    return false;
                if (!Admitted(pending.Job))
                {
                    _retries.Enqueue((pending, 1), Stopwatch.GetTimestamp());
                    return true;
                }

                StartAttempt(pending, 1);
            }

            return false;
        }

        private bool TryTakeNew(out PendingJob pending)
        {
            while (_source.TryTake(out pending))
            {
                if (AlreadyDone(pending.Job) is not { } succeededBefore)
                    return true;
                _alreadyDone++;
                Interlocked.Increment(ref _runner._skipped);
                var done = pending;
                Record(ref _observerBroken, () => _runner._observer.JobAlreadyDone(done.Job, done.Sequence));
                foreach (var skipped in _source.Finished(pending, succeededBefore))
                    FinishSkipped(skipped, pending.Job.Id);
            }

            return false;
        }

        /// <summary>Null when the old job log does not account for this job; else whether it succeeded then.</summary>
        private bool? AlreadyDone(JobSpec job)
        {
            if (_previous.Count == 0 || LoggedCommand(job) is not { } command)
                return null;
            var record = _previous[command];
            // Each line of the old log accounts for one job: two identical commands need two lines.
            if (record.Succeeded > 0)
            {
                _previous[command] = (record.Finished - 1, record.Succeeded - 1);
                return true;
            }

            if (_options.Resume == ResumeMode.Resume && record.Finished > 0)
            {
                _previous[command] = (record.Finished - 1, 0);
                return false;
            }

            return null;
        }

        /// <summary>
        /// The job's line in the old job log: its command, or with {%} in it, the command for whichever
        /// slot it ran in then (the log names the command that ran); null when the log has none.
        /// </summary>
        private string? LoggedCommand(JobSpec job)
        {
            if (job.CommandForSlot is not { } forSlot)
                return _previous.ContainsKey(job.CommandLine) ? job.CommandLine : null;
            for (var slot = 1; slot <= _options.MaxParallel; slot++)
            {
                var command = forSlot(slot);
                if (_previous.TryGetValue(command, out var record) && (record.Succeeded > 0 || record.Finished > 0))
                    return command;
            }

            return null;
        }

        private bool Admitted(JobSpec job)
        {
            if (_running.Count == 0)
                return true; // nothing running will free anything: waiting would wait forever
            var needed = Math.Max(job.MemoryBytes ?? 0, _options.MinimumFreeMemory ?? 0);
            if (needed > 0 && SystemLoad.AvailableMemory() is { } available && available < needed)
                return false;
            return _options.MaximumLoad is not { } maxLoad || SystemLoad.LoadAverage() is not { } load || load < maxLoad;
        }

        private void StartAttempt(PendingJob pending, int attempt)
        {
            _lastSequence = Math.Max(_lastSequence, pending.Sequence);
            if (_options.StartDelay > TimeSpan.Zero)
                _nextStartAllowed = Stopwatch.GetTimestamp() + (long)(_options.StartDelay.TotalSeconds * Stopwatch.Frequency);
            var slot = _freeSlots.Pop();
            var stop = new CancellationTokenSource();
            var running = new RunningAttempt(pending, slot, attempt, stop);
            _running.Add(running);
            var timeLimit = pending.Job.Timeout ?? _options.Timeout?.Fixed;
            if (timeLimit is { } limit && limit <= TimeoutPolicy.LongestLimit && !_runner._backend.EnforcesTimeLimits)
                stop.CancelAfter(limit);
            var job = pending.Job;
            var observer = _runner._observer;
            Action<string, bool>? onLine = _options.LineBuffer ? (line, isStderr) => observer.JobOutputLine(job, pending.Sequence, line, isStderr) : null;
            var request = new JobAttempt(job, job.CommandForSlot?.Invoke(slot) ?? job.CommandLine, pending.Sequence, slot, attempt,
                _options.StopGracePeriod, _options.KillJobsIfRunnerDies, onLine, _runner._killNow.Token, timeLimit, _options.Ungrouped);
            Record(ref _observerBroken, () => observer.JobStarted(job, pending.Sequence, slot, attempt));
            var backend = _runner._backend;
            var reports = _runner._reports.Writer;
            _ = Task.Run(async () =>
            {
                AttemptResult result;
                try
                {
                    result = await backend.RunAsync(request, stop.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a backend failure becomes the job's failure, never the runner's
                catch (Exception e)
#pragma warning restore CA1031
                {
                    result = new AttemptResult(null, false, DateTimeOffset.Now, running.Clock.Elapsed, [], [], null, e.Message);
                }

                reports.TryWrite(new AttemptDone(running, result));
            });
        }

        private void OnAttemptDone(RunningAttempt running, AttemptResult result)
        {
            _running.Remove(running);
            _freeSlots.Push(running.Slot);
            running.Stop.Dispose();
            _cpu += result.Usage?.CpuTime ?? TimeSpan.Zero;
            var outcome = result.StartError is not null ? JobOutcome.StartFailed
                : result.Stopped ? (running.StoppedByRunner ? JobOutcome.Cancelled : JobOutcome.TimedOut)
                : result.Status is { Success: true } ? JobOutcome.Succeeded
                : JobOutcome.Failed;
            var job = running.Pending.Job;
            // The result names the command that ran: with {%} in it, the one for the slot it ran in (as GNU parallel's job log does).
            var reported = job.CommandForSlot is { } forSlot ? job with { CommandLine = forSlot(running.Slot) } : job;
            // A result outlives its attempt (held for -k, kept when it failed): it keeps the size of the input, not the input.
            var jobResult = new JobResult(job.StandardInput is null && job.StandardInputWriter is null ? reported : reported with { StandardInput = null, StandardInputWriter = null }, running.Pending.Sequence, outcome,
                result.Status, result.StartTime, result.Runtime, running.Attempt, result.Host ?? _runner._backend.Host, result.Stdout, result.Stderr,
                result.Usage, result.StartError)
            {
                BytesSent = result.BytesSent ?? job.StandardInput?.Length ?? 0,
            };

            // Input written while the job ran is gone: a second attempt would get none of it.
            var retries = job.StandardInputWriter is null ? job.Retries ?? _options.Retries : 0;
            if (outcome is JobOutcome.Failed or JobOutcome.TimedOut && running.Attempt <= retries && !_stopStarting)
            {
                var delay = _options.RetryDelay * Math.Pow(2, running.Attempt - 1);
                _retries.Enqueue((running.Pending, running.Attempt + 1), Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency));
                Record(ref _observerBroken, () => _runner._observer.JobRetrying(jobResult, delay));
                return;
            }

            if (outcome == JobOutcome.Succeeded)
            {
                var at = _successfulRuntimes.BinarySearch(result.Runtime);
                _successfulRuntimes.Insert(at < 0 ? ~at : at, result.Runtime);
            }

            Finish(running.Pending, jobResult);
        }

        private void Finish(PendingJob pending, JobResult result)
        {
            if (_joblog is not null && result.Outcome is not (JobOutcome.Cancelled or JobOutcome.Skipped))
                Record(ref _joblogBroken, () => _joblog.Append(result));
            if (_options.ResultsDirectory is { } directory && result.Outcome != JobOutcome.Skipped)
                Record(ref _resultsBroken, () => ResultsDirectory.Write(directory, result));
            if (_options.ResultsTable is { } table && result.Outcome != JobOutcome.Skipped)
                Record(ref _tableBroken, () => table.Append(result));
            if (result.Succeeded)
            {
                Interlocked.Increment(ref _runner._succeeded);
            }
            else
            {
                _failures.Add(ForSummary(result));
                if (result.Outcome == JobOutcome.Skipped)
                    Interlocked.Increment(ref _runner._skipped);
                else
                    Interlocked.Increment(ref _runner._failed);
            }

            Record(ref _observerBroken, () => _runner._observer.JobFinished(result));
            foreach (var skipped in _source.Finished(pending, result.Succeeded))
                FinishSkipped(skipped, pending.Job.Id);
            CheckHalt(result);
        }

        /// <summary>A failure as the summary keeps it: the end of its stderr, no stdout.</summary>
        private static JobResult ForSummary(JobResult result) =>
            result.Stdout.Length == 0 && result.Stderr.Length <= FailureStderrKept ? result
                : result with { Stdout = [], Stderr = result.Stderr.AsSpan(Math.Max(0, result.Stderr.Length - FailureStderrKept)).ToArray() };

        private void FinishSkipped(PendingJob skipped, string because)
        {
            var result = new JobResult(skipped.Job, skipped.Sequence, JobOutcome.Skipped, null, DateTimeOffset.Now, TimeSpan.Zero, 0,
                _runner._backend.Host, [], [], null, $"'{because}', which it depends on, did not succeed");
            _failures.Add(result);
            Interlocked.Increment(ref _runner._skipped);
            Record(ref _observerBroken, () => _runner._observer.JobFinished(result));
        }

        private void CheckHalt(JobResult last)
        {
            if (_haltReason is not null || !_options.Halt.IsReached(_runner._failed, _runner._succeeded, _source.Known))
                return;
            _haltReason = $"--halt {_options.Halt} reached after {_runner._failed} failed and {_runner._succeeded} succeeded jobs";
            _haltExitCode = HaltExitCode(last);
            _stopStarting = true;
            Record(ref _observerBroken, () => _runner._observer.Halting(_haltReason));
            if (_options.Halt.When == HaltWhen.Now)
                StopAllRunning();
        }

        /// <summary>
        /// GNU parallel's exit code for a halted batch, fixed when the halt is reached (jobs stopped
        /// or finishing after it do not change it): 0 on success=N; on fail=1 or done=1 (or a
        /// percentage that comes to exactly one job) the last job's own status (the shell's 128 + n for
        /// a signal); on fail=N% or done=N% the percentage of all jobs that failed; on fail=N or
        /// done=N the number of failed jobs, at most 101.
        /// </summary>
        private int HaltExitCode(JobResult last)
        {
            var halt = _options.Halt;
            var failed = _runner._failed;
            if (halt.Counts == HaltCount.Successes)
                return 0;
            // GNU parallel compares the product with 1 exactly: 10% of 10 jobs is fail=1.
            // A job stopped at its time limit is GNU parallel's exit value -1, so it exits 255, not with the signal's 128 + n.
            if (halt.IsPercentage ? halt.Count(_source.Known) == 1 : halt.Threshold <= 1)
                return last.Outcome == JobOutcome.TimedOut ? 255 : last.Status is { } status ? (status.Success ? 0 : status.ShellCode) : 1;
            if (halt.IsPercentage)
                return (int)Math.Min(101, Math.Ceiling(failed * 100.0 / Math.Max(1, _source.Known)));
            return Math.Min(failed, 101);
        }

        /// <summary>
        /// Writes one record of the batch: a job-log line, a job's results folder, or what the
        /// observer prints. The first failure of a sink (a full disk, a closed pipe) stops the
        /// batch, because the ends of the jobs after it could not be recorded either; a resumed run
        /// does what was stopped. The other sinks go on, so a job whose log line failed still has
        /// its output printed.
        /// </summary>
        private void Record(ref bool broken, Action write)
        {
            if (broken)
                return;
            try
            {
                write();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FanoutException)
            {
                broken = true;
                if (_recordingError is not null)
                    return;
                _recordingError = e is FanoutException ? e.Message : $"Cannot write the batch's output: {e.Message}";
                _stopStarting = true;
                StopAllRunning();
            }
        }

        private void StopAllRunning()
        {
            foreach (var running in _running)
            {
                running.StoppedByRunner = true;
                running.Stop.Cancel();
            }
        }

        private void EnforceRelativeTimeouts()
        {
            if (_options.Timeout?.PercentOfMedian is null || _options.Timeout.Limit(_successfulRuntimes) is not { } limit)
                return;
            foreach (var running in _running)
            {
                if (running.Pending.Job.Timeout is null && running.Clock.Elapsed > limit && !running.Stop.IsCancellationRequested)
                    running.Stop.Cancel();
            }
        }

        private TimeSpan? NextWait(bool admissionBlocked)
        {
            if (admissionBlocked)
                return CheckInterval;
            TimeSpan? wait = _options.Timeout?.PercentOfMedian is not null ? CheckInterval : null;
            if (!_stopStarting && _retries.TryPeek(out _, out var due))
                wait = Earlier(wait, Until(due));
            if (_startDelayed)
                wait = Earlier(wait, Until(_nextStartAllowed));

            return wait;
        }

        private static TimeSpan Until(long timestamp) =>
            TimeSpan.FromSeconds(Math.Max(0, (timestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));

        private static TimeSpan Earlier(TimeSpan? wait, TimeSpan other) => wait is { } w && w < other ? w : other;

        private void PublishProgress()
        {
            Volatile.Write(ref _runner._total, _source.Known);
            Volatile.Write(ref _runner._totalKnown, _source.AllKnown);
            Volatile.Write(ref _runner._running, _running.Count);
        }
    }
}
