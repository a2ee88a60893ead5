using System.Text.Json;
using Fanout.Ipc;

namespace Fanout;

/// <summary>
/// One long-lived worker process of a pool, seen from the parent: it is started with the worker
/// host in pool mode (<c>… Fanout.dll --fanout-worker NAME --pool</c>), greeted with a
/// <see cref="WorkerCall"/> that runs the initializer, and then given one task at a time.
/// <para>
/// Concurrency: the pool's slot loop that owns this worker is the only one to write tasks and read
/// replies; it may send several tasks before reading (a pipeline), and replies come in order. <see cref="Kill"/> may come from any thread (a cancel, a terminate); it only records
/// why and sends SIGKILL; the slot loop then sees the reply pipe end and the exit.
/// </para>
/// </summary>
internal sealed class PoolWorker : IAsyncDisposable
{
    /// <summary>How long a worker told to exit may take before it is killed.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private static readonly Lock LiveGate = new();
    private static readonly HashSet<PoolWorker> Live = [];
    private static int s_exitHandlerInstalled;

    private readonly ChildProcess _child;
    private readonly PipeEndStream _control;
    private readonly PipeEndStream _replies;
    private readonly FrameReader _replyFrames;
    private readonly ReplyRing _ring;
    private readonly FrameBuffer _outgoing = new();
    private readonly Utf8JsonWriter _json;
    private readonly HashSet<int> _knownTargets = [];
    private volatile string? _killedBecause;

    private PoolWorker(string name, ChildProcess child, PipeEndStream control, PipeEndStream replies, ReplyRing ring)
    {
        Name = name;
        _child = child;
        _control = control;
        _replies = replies;
        _replyFrames = new FrameReader(replies);
        _ring = ring;
        _json = new Utf8JsonWriter(_outgoing, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>What ended a task.</summary>
    internal enum Outcome
    {
        /// <summary>The worker replied: values or an error.</summary>
        Replied,

        /// <summary>The worker died (killed by a signal, or exited) before replying.</summary>
        Lost,

        /// <summary>The task's time was up; the worker was killed.</summary>
        TimedOut,

        /// <summary>The worker was killed on purpose (cancel, terminate).</summary>
        Killed,
    }

    internal string Name { get; }

    internal int Pid => _child.Pid;

    internal Task<ExitStatus> Exited => _child.Exited;

    /// <summary>True once <see cref="Kill"/> was called on it.</summary>
    internal bool WasKilled => _killedBecause is not null;

    /// <summary>Spawns a pool worker and sends it its greeting; <see cref="HelloAsync"/> reads the answer.</summary>
    /// <exception cref="ProcessStartException">It could not be spawned.</exception>
    internal static PoolWorker Start(string name, byte[] greeting)
    {
        var host = WorkerHost.Spec;
        var (controlRead, controlWrite) = WorkerProcess.CreatePipe();
        var (replyRead, replyWrite) = WorkerProcess.CreatePipe();
        var control = WorkerProcess.ParentEnd(controlWrite, readable: false);
        var replies = WorkerProcess.ParentEnd(replyRead, readable: true);
        ReplyRing? ring = null;
        ChildProcess child;
        try
        {
            using (controlRead)
            using (replyWrite)
            {
                var (created, ringFile) = CreateRing();
                ring = created;
                using (ringFile)
                {
                    child = host.WithArguments([.. host.Arguments, name, WorkerHost.PoolMarker])
                        .WithPassedHandles(controlRead, replyWrite, ringFile)
                        .Start();
                }
            }
        }
        catch
        {
            ring?.Dispose();
            control.Dispose();
            replies.Dispose();
            throw;
        }

        var worker = new PoolWorker(name, child, control, replies, ring);
        RuntimeLeftovers.RemoveIfKilled(child);
        InstallExitHandler();
        lock (LiveGate)
            Live.Add(worker);
        WorkerLog.Started(FanoutLog.Logger, name, child.Pid);
        try
        {
            control.Write(greeting);
        }
        catch (IOException)
        {
            // It died at once; HelloAsync reports it.
        }

        return worker;
    }

    private static (ReplyRing Ring, Microsoft.Win32.SafeHandles.SafeFileHandle File) CreateRing()
    {
        try
        {
            return ReplyRing.Create();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ProcessStartException("pool worker", e.Message, e.NativeErrorCode);
        }
    }

    /// <summary>Waits for the answer to the greeting: null when the initializer ran, its error otherwise.</summary>
    /// <exception cref="WorkerLostException">The worker died before answering.</exception>
    internal async Task<RemoteError?> HelloAsync()
    {
        byte[]? frame = null;
        try
        {
            frame = await _replyFrames.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }

        if (frame is null)
            throw new WorkerLostException(Name, Pid, await _child.Exited.ConfigureAwait(false));
        return WorkerWire.ReadReply(frame).Error;
    }

    /// <summary>
    /// Sends <paramref name="jobs"/> in one write; the worker runs its tasks in the order they were
    /// sent and answers each with one reply. A broken pipe is ignored here:
    /// <see cref="ReadReplyAsync"/> then sees the worker's death.
    /// </summary>
    internal async Task SendAsync(IReadOnlyList<PoolJob> jobs)
    {
        _outgoing.Clear();
        foreach (var job in jobs)
        {
            var target = job.Target;
            var first = _knownTargets.Add(target.Id);
            PoolWire.AppendTask(_outgoing, _json, target.Id, first ? target.Reference : null, first ? target.Instance : null, job.Items);
        }

        try
        {
            await _control.WriteAsync(_outgoing.Written).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>True when the worker has published its next reply, so <see cref="ReadReplyAsync"/> returns it without waiting.</summary>
    internal bool HasReplyReady => _ring.HasReply;

    /// <summary>Waits for the next reply, the worker's death, or the end of <paramref name="timeout"/> (then the worker is killed).</summary>
    internal async ValueTask<(Outcome Outcome, byte[]? Reply)> ReadReplyAsync(TimeSpan? timeout)
    {
        using var time = timeout is null || _ring.HasReply ? null : new CancellationTokenSource();
        if (time is not null)
            time.CancelAfter(timeout!.Value);
        byte[]? reply = null;
        try
        {
            reply = await _ring.ReceiveAsync(_replyFrames, time?.Token ?? CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (time?.IsCancellationRequested == true)
        {
            Kill("the task's time was up");
            await _child.Exited.ConfigureAwait(false);
            return (Outcome.TimedOut, null);
        }
        catch (IOException)
        {
            // The pipe broke: the worker died; its exit status says how.
        }

        if (reply is null)
        {
            await _child.Exited.ConfigureAwait(false);
            return (_killedBecause is null ? Outcome.Lost : Outcome.Killed, null);
        }

        return (Outcome.Replied, reply);
    }

    /// <summary>Sends SIGKILL, remembering why; true if the worker was still running.</summary>
    internal bool Kill(string reason)
    {
        if (_child.Poll() is not null)
            return false;
        _killedBecause ??= reason;
        FutureLog.WorkerKilled(FanoutLog.Logger, Name, Pid, reason);
        return _child.SendSignal(Signal.Kill);
    }

    /// <summary>Tells the worker to finish and waits for its exit (killing it if it takes too long).</summary>
    internal async Task ExitAsync()
    {
        try
        {
            await _control.WriteAsync(PoolWire.Exit()).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }

        if (await Task.WhenAny(_child.Exited, Task.Delay(ExitGrace)).ConfigureAwait(false) != _child.Exited)
            Kill("it did not exit when told to");
        await _child.Exited.ConfigureAwait(false);
    }

    /// <summary>Once the worker has exited: closes the pipes (the lifeline last) and forgets it.</summary>
    public async ValueTask DisposeAsync()
    {
        var status = await _child.Exited.ConfigureAwait(false);
        await _json.DisposeAsync().ConfigureAwait(false);
        _ring.Dispose();
        await _replies.DisposeAsync().ConfigureAwait(false);
        await _control.DisposeAsync().ConfigureAwait(false);
        _child.Dispose();
        lock (LiveGate)
            Live.Remove(this);
        FutureLog.WorkerEnded(FanoutLog.Logger, Name, Pid, status);
    }

    /// <summary>At this process's normal exit, pool workers are killed (Python terminates its pools' workers too).</summary>
    private static void InstallExitHandler()
    {
        if (Interlocked.Exchange(ref s_exitHandlerInstalled, 1) != 0)
            return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.IsTerminating)
                KillAll();
        };
    }

    private static void KillAll()
    {
        PoolWorker[] workers;
        lock (LiveGate)
            workers = [.. Live];
        foreach (var worker in workers)
            worker.Kill("this process is exiting");
    }
}
