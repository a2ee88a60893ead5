using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Fanout;

/// <summary>
/// Runs calls as Slurm jobs (Python's submitit): the same <see cref="IExecutor"/> as
/// <see cref="ThreadPoolExecutor"/> and <see cref="ProcessPoolExecutor"/>, for work too big for one
/// machine. A call — a static method or a lambda that captures nothing, and its arguments as JSON —
/// is written as a file into a shared folder; a job array runs Fanout's worker host on the nodes,
/// which writes the result beside it; the future completes when the result lands.
/// <para>
/// Calls submitted within <see cref="SlurmExecutorOptions.SubmitDelay"/> of each other go in as one
/// job array (chunked to the cluster's MaxArraySize), so a <see cref="Map{T, TResult}"/> of thousands
/// of inputs costs a few <c>sbatch</c> calls; the state of every outstanding job comes from one
/// <c>squeue</c> per <see cref="SlurmExecutorOptions.PollInterval"/>. Failures map onto the pools'
/// exceptions: the call's own exception arrives as a <see cref="RemoteException"/>, a job that
/// reaches its time limit fails with <see cref="TaskTimeoutException"/>, a job that leaves the queue
/// without a result (cancelled from outside, out of memory, node failure) with
/// <see cref="WorkerLostException"/>, and a submission sbatch refuses with <see cref="SlurmSubmitException"/>.
/// A future is pending while its job waits in the queue and running once Slurm runs it;
/// <see cref="Future.Cancel"/> on a pending one, and <see cref="Future.CancelOrKill"/> on a running
/// one, cancel its job (<c>scancel</c>).
/// </para>
/// <para>
/// The nodes must see the same files as this process: the application's folder (the worker host
/// starts it with the same <c>dotnet</c>, runtime configuration and assemblies) and
/// <see cref="SlurmExecutorOptions.StateDirectory"/>. Jobs inherit this process's environment and
/// working directory, as <c>sbatch</c> does. Jobs outlive this process if it is killed; their
/// results stay in the folder.
/// </para>
/// <para>
/// Concurrency: <c>_lock</c> guards the lists of calls. One background loop — started when work
/// comes, ended when none is left — submits, cancels and polls, and completes the futures outside
/// the lock. A future's done callback (cancellation) only marks its job for the loop to cancel.
/// </para>
/// </summary>
/// <example>
/// <code>
/// await using var executor = new SlurmExecutor(new SlurmExecutorOptions { Partition = "short", TimePerTask = TimeSpan.FromMinutes(5) });
/// var future = executor.Submit(Simulate, 42);          // one job
/// Console.WriteLine(await future);
/// foreach (var score in executor.Map(Simulate, Enumerable.Range(0, 10_000)))   // a few job arrays
///     Console.WriteLine(score);
/// </code>
/// </example>
public sealed partial class SlurmExecutor : IExecutor
{
    private static int s_executors;
    private readonly Lock _lock = new();
    private readonly List<SlurmCall> _unsubmitted = [];
    private readonly List<SlurmCall> _submitting = [];
    private readonly List<SlurmCall> _active = [];
    private readonly HashSet<string> _toCancel = new(StringComparer.Ordinal);
    private readonly List<string> _jobIds = [];
    private readonly string _workerCommand;
    private Task? _loop;
    private bool _shutdown;
    private bool _anyFailed;
    private int _submitCalls;
    private int _statusCalls;

    /// <summary>Creates the executor; nothing is written or submitted before the first call.</summary>
    /// <param name="options">Where and how jobs are submitted; the defaults use the cluster's default partition and <c>.fanout-slurm</c> under the current directory.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or an interval is not positive.</exception>
    /// <exception cref="ProcessStartException">This application cannot host workers (NativeAOT, single file, self-contained); the message says what to do.</exception>
    [RequiresUnreferencedCode("Arguments and results are serialized with System.Text.Json reflection.")]
    [RequiresDynamicCode("Workers run their targets through reflection in new .NET processes.")]
    public SlurmExecutor(SlurmExecutorOptions? options = null)
    {
        Options = options ?? new SlurmExecutorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.CpusPerTask, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MapWindow, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Options.PollInterval, TimeSpan.Zero, nameof(options));
        var host = WorkerHost.Spec;
        _workerCommand = ShellQuoting.Join([host.Program, .. host.Arguments, WorkerHost.FileMarker]);
        Folder = Path.Combine(Path.GetFullPath(Options.StateDirectory),
            string.Create(CultureInfo.InvariantCulture, $"executor-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Interlocked.Increment(ref s_executors)}"));
    }

    /// <summary>The options it was created with.</summary>
    public SlurmExecutorOptions Options { get; }

    /// <summary>This executor's folder under <see cref="SlurmExecutorOptions.StateDirectory"/>: one sub-folder per job array, with its calls, results and output.</summary>
    public string Folder { get; }

    /// <summary>How many times <c>sbatch</c> was called (retries included).</summary>
    public int SubmitCalls => Volatile.Read(ref _submitCalls);

    /// <summary>How many times <c>squeue</c> was called.</summary>
    public int StatusCalls => Volatile.Read(ref _statusCalls);

    /// <summary>The ids of the job arrays submitted so far, in order.</summary>
    public IReadOnlyList<string> SubmittedJobIds
    {
        get
        {
            lock (_lock)
                return [.. _jobIds];
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="ArgumentException"><paramref name="fn"/> or an argument cannot be sent to a job; the message says why.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    public Future<TResult> Submit<TResult>(Delegate fn, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(args);
        ThrowIfShutDown();
        var target = PoolTarget.From(fn, args, static (_, _) => 1, out var arguments);
        ProcessPoolExecutor.CheckResultType<TResult>(target, fn);
        Enqueue(PoolJob.ForOne<TResult>(target, arguments, out var future));
        return future;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each chunk of <paramref name="chunkSize"/> inputs is one array task; up to
    /// <see cref="SlurmExecutorOptions.MapWindow"/> chunks are submitted ahead of the results being
    /// read, together, as job arrays. With thousands of short calls, a chunk size of tens or
    /// hundreds saves the scheduler (and the start of a .NET process) per input.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    public IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> inputs, TimeSpan? timeout = null, int chunkSize = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ThrowIfShutDown();
        PoolTarget? target = null;
        return LazyMap.Ordered(inputs, chunkSize, Options.MapWindow, chunk =>
        {
            using var items = PoolItems.Rent();
            foreach (var input in chunk)
            {
                if (target is null)
                {
                    target = PoolTarget.From(fn, [input], static (_, _) => 1, out var first);
                    items.Add(first);
                }
                else
                {
                    items.Add(target, [input]);
                }
            }

            Enqueue(PoolJob.ForChunk<TResult>(target!, items, out var future));
            return future;
        }, timeout);
    }

    /// <summary>
    /// Stops accepting calls (Python's <c>shutdown(wait, cancel_futures)</c>). Idempotent.
    /// </summary>
    /// <param name="wait">Waits until every submitted call has its result (or failed, or was cancelled).</param>
    /// <param name="cancelPending">Cancels the calls whose jobs have not started, and their jobs (<c>scancel</c>); running jobs go on.</param>
    public void Shutdown(bool wait = true, bool cancelPending = false)
    {
        List<Future> pending;
        lock (_lock)
        {
            _shutdown = true;
            pending = cancelPending ? [.. Outstanding()] : [];
        }

        foreach (var future in pending)
            future.Cancel();
        if (wait)
            DrainAsync().GetAwaiter().GetResult();
    }

    /// <summary>Stops accepting calls and cancels every call, running ones included, with their jobs (<c>scancel</c>); waits until the cancels are sent.</summary>
    public void Terminate()
    {
        List<Future> all;
        lock (_lock)
        {
            _shutdown = true;
            all = [.. Outstanding()];
        }

        foreach (var future in all)
            future.CancelOrKill();
        DrainAsync().GetAwaiter().GetResult();
    }

    /// <summary>Shuts down and waits for every call's result (Python's <c>with</c> block end), then removes the folder (see <see cref="SlurmExecutorOptions.KeepFiles"/>).</summary>
    public void Dispose()
    {
        Shutdown(wait: true);
        RemoveFolder();
    }

    /// <summary>Shuts down and waits for every call's result without blocking the caller's thread, then removes the folder (see <see cref="SlurmExecutorOptions.KeepFiles"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        Shutdown(wait: false);
        await DrainAsync().ConfigureAwait(false);
        RemoveFolder();
    }

    /// <summary>The futures of every call not settled yet, including those being submitted right now.</summary>
    private IEnumerable<Future> Outstanding() => _unsubmitted.Concat(_submitting).Concat(_active).Select(c => c.Job.Future);

    private void ThrowIfShutDown()
    {
        lock (_lock)
        {
            if (_shutdown)
                throw new InvalidOperationException("Cannot schedule new calls: this SlurmExecutor was shut down (Shutdown(), Terminate() or Dispose()). Create a new one.");
        }
    }

    private void RemoveFolder()
    {
        bool keep;
        lock (_lock)
            keep = Options.KeepFiles || _anyFailed;
        if (keep || !Directory.Exists(Folder))
            return;
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A node may still hold a file open on a shared file system; the folder is only litter.
        }
    }
}
