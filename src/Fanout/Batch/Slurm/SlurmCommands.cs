using System.Globalization;

namespace Fanout.Batch;

/// <summary>
/// The Slurm client shared by <see cref="SlurmBackend"/> and <see cref="SlurmExecutor"/>: the few
/// commands they run, each chosen so the controller's load does not grow with the number of jobs —
/// arrays go in with one <c>sbatch</c> (retried with backoff when the controller is busy), the state
/// of every outstanding job comes from one <c>squeue</c>, cancels go out in one <c>scancel</c>.
/// </summary>
internal static class SlurmCommands
{
    /// <summary>Job states in which a job may still run (or is running); any other state is final.</summary>
    internal static readonly IReadOnlySet<string> LiveStates = new HashSet<string>(StringComparer.Ordinal)
    {
        "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
    };

    /// <summary>How long to wait before each retry of a submission that failed transiently: about half a minute in all.</summary>
    internal static readonly TimeSpan[] SubmitRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(20)];

    /// <summary>What sbatch prints when the controller is busy or unreachable for a moment: worth another try.</summary>
    private static readonly string[] TransientErrors =
    [
        "Socket timed out", "Resource temporarily unavailable", "Unable to contact slurm controller", "temporarily unable to accept job",
        "Connection refused", "Connection timed out", "Transport endpoint is not connected", "Zero Bytes were transmitted", "Communication connection failure",
    ];

    /// <summary>
    /// Submits a batch script with <c>sbatch --parsable</c> and returns the job id. A transient
    /// failure (the messages above, or sbatch not answering) is retried after
    /// <see cref="SubmitRetryDelays"/>; anything else fails at once.
    /// </summary>
    /// <param name="options">The sbatch options, which the error message repeats.</param>
    /// <param name="script">The script and its arguments.</param>
    /// <param name="onAttempt">Called before every sbatch call (to count them).</param>
    /// <param name="cancellationToken">Stops waiting between retries (never a running sbatch, which might submit the job without our learning its id).</param>
    /// <exception cref="SlurmSubmitException">sbatch refused the job, or kept failing.</exception>
    internal static async Task<string> SubmitAsync(IReadOnlyList<string> options, IReadOnlyList<string> script, Action? onAttempt = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            onAttempt?.Invoke();
            string error;
            try
            {
                var result = await new ProcessSpec("sbatch", ["--parsable", .. options, .. script]).WithCapturedOutput().WithStdin(Stdio.Null)
                    .RunAsync(timeout: TimeSpan.FromMinutes(2), cancellationToken: CancellationToken.None).ConfigureAwait(false);
                if (result.Status.Success && result.StdoutText.Trim().Split(';')[0] is { Length: > 0 } jobId)
                    return jobId;
                error = result.StderrText.Trim() is { Length: > 0 } stderr ? stderr : $"sbatch {result.Status} and printed no job id";
                if (!IsTransient(error))
                    throw new SlurmSubmitException(options, error, attempt);
            }
            catch (ProcessTimeoutException e)
            {
                error = $"sbatch did not answer: {e.Message}";
            }
            catch (ProcessStartException e)
            {
                throw new SlurmSubmitException(options, $"sbatch could not run: {e.Message}", attempt);
            }

            if (attempt > SubmitRetryDelays.Length)
                throw new SlurmSubmitException(options, error, attempt);
            // A little jitter, so runners that failed together do not retry together.
            cancellationToken.ThrowIfCancellationRequested();
            var delay = SubmitRetryDelays[attempt - 1] * (1 + (Random.Shared.NextDouble() * 0.2));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when sbatch's message means "try again later" rather than "this job is wrong".</summary>
    internal static bool IsTransient(string error) => TransientErrors.Any(e => error.Contains(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The state (and the reason for it) of every job and array task of <paramref name="jobIds"/>, from
    /// one <c>squeue</c> call; keys are such as <c>123</c>, <c>123_4</c>, or <c>123_[5-9%2]</c> for an
    /// array's pending tasks. Null when the controller did not answer this time.
    /// </summary>
    internal static async Task<Dictionary<string, SlurmJobState>?> QueryStatesAsync(IEnumerable<string> jobIds)
    {
        var ids = string.Join(',', jobIds.Distinct(StringComparer.Ordinal));
        try
        {
            var result = await new ProcessSpec("squeue", "-h", "-t", "all", "-j", ids, "-o", "%i|%T|%r").WithCapturedOutput().WithStdin(Stdio.Null)
                .RunAsync(timeout: TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            if (!result.Status.Success && !result.StderrText.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
                return null;
            var states = new Dictionary<string, SlurmJobState>(StringComparer.Ordinal);
            foreach (var line in result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split('|');
                if (parts.Length == 3)
                    states[parts[0].Trim()] = new SlurmJobState(parts[1].Trim(), parts[2].Trim());
            }

            return states;
        }
        catch (FanoutException)
        {
            return null;
        }
    }

    /// <summary>The state of task <paramref name="index"/> of array <paramref name="jobId"/> in what <see cref="QueryStatesAsync"/> returned, or null when Slurm no longer lists it.</summary>
    internal static SlurmJobState? StateOf(Dictionary<string, SlurmJobState> states, string jobId, int index)
    {
        if (states.TryGetValue($"{jobId}_{index}", out var state))
            return state;
        // Pending tasks of an array are listed as one range, such as 123_[4-9%2].
        var prefix = jobId + "_[";
        foreach (var (id, rangeState) in states)
        {
            if (id == jobId || (id.StartsWith(prefix, StringComparison.Ordinal) && InRange(id.AsSpan(prefix.Length), index)))
                return rangeState;
        }

        return null;
    }

    /// <summary>Takes every id gathered in <paramref name="requested"/> (under <paramref name="gate"/>, which guards it) and cancels them with one <c>scancel</c>.</summary>
    internal static Task CancelRequestedAsync(HashSet<string> requested, Lock gate)
    {
        string[] ids;
        lock (gate)
        {
            if (requested.Count == 0)
                return Task.CompletedTask;
            ids = [.. requested];
            requested.Clear();
        }

        return CancelAsync(ids);
    }

    /// <summary>Cancels the jobs or array tasks named, with one <c>scancel</c>; failures are ignored (the next poll shows what is left).</summary>
    internal static async Task CancelAsync(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
            return;
        try
        {
            await new ProcessSpec("scancel", ids).WithCapturedOutput().WithStdin(Stdio.Null).RunAsync(timeout: TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        }
        catch (FanoutException)
        {
        }
    }

    /// <summary>The cluster's MaxArraySize (from <c>scontrol show config</c>), or Slurm's default when it cannot be read.</summary>
    internal static async Task<int> ReadMaxArraySizeAsync()
    {
        try
        {
            var config = await new ProcessSpec("scontrol", "show", "config").WithCapturedOutput().WithStdin(Stdio.Null).RunAsync(timeout: TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            foreach (var line in config.StdoutText.Split('\n'))
            {
                var parts = line.Split('=', 2);
                if (parts.Length == 2 && parts[0].Trim() == "MaxArraySize" && int.TryParse(parts[1].Trim(), CultureInfo.InvariantCulture, out var size) && size > 0)
                    return size;
            }
        }
        catch (FanoutException)
        {
        }

        return 1001; // Slurm's default
    }

    /// <summary>
    /// How a finished job or array task ended (<c>ExitCode=code:signal</c> in <c>scontrol show job</c>),
    /// or null once the controller has forgotten it. One call per job: only for the rare job that ended without a result.
    /// </summary>
    internal static async Task<ExitStatus?> ReadExitStatusAsync(string slurmId)
    {
        try
        {
            var job = await new ProcessSpec("scontrol", "show", "job", "-o", slurmId).WithCapturedOutput().WithStdin(Stdio.Null)
                .RunAsync(timeout: TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            var field = job.StdoutText.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(f => f.StartsWith("ExitCode=", StringComparison.Ordinal));
            var parts = field?["ExitCode=".Length..].Split(':');
            if (parts is not [var code, var signal] || !int.TryParse(code, CultureInfo.InvariantCulture, out var c) || !int.TryParse(signal, CultureInfo.InvariantCulture, out var s))
                return null;
            return s != 0 ? ExitStatus.Signaled(Signal.FromNumber(s)) : ExitStatus.Exited(c);
        }
        catch (FanoutException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="index"/> is in a range list such as <c>4-9,12%2]</c>.</summary>
    private static bool InRange(ReadOnlySpan<char> ranges, int index)
    {
        var end = ranges.IndexOfAny('%', ']');
        foreach (var range in (end < 0 ? ranges : ranges[..end]).ToString().Split(','))
        {
            var bounds = range.Split('-');
            if (bounds.Length == 1 && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var single) && single == index)
                return true;
            if (bounds.Length == 2 && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var low) && int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var high)
                && index >= low && index <= high)
                return true;
        }

        return false;
    }
}
