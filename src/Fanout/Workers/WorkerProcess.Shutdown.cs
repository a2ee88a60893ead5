namespace Fanout;

public partial class WorkerProcess
{
    /// <summary>How long a daemon gets to obey SIGTERM at exit before it is killed.</summary>
    private static readonly TimeSpan DaemonGrace = TimeSpan.FromSeconds(1);

    private static readonly Lock LiveGate = new();
    private static readonly List<WorkerProcess> Live = [];
    private static int s_exitHandlerInstalled;
    private static int s_shutDown;

    /// <summary>The workers this process started that have not been seen to exit (Python's <c>active_children()</c>).</summary>
    public static IReadOnlyList<WorkerProcess> ActiveChildren()
    {
        lock (LiveGate)
            return [.. Live.Where(w => w.IsAlive)];
    }

    /// <summary>
    /// Makes this process finish its workers when it ends, as Python does at interpreter exit:
    /// daemons are terminated, then every worker is joined. Runs at a normal exit
    /// (<c>AppDomain.ProcessExit</c>: the end of Main, <c>Environment.Exit</c>, SIGTERM, Ctrl-C) and
    /// before the runtime aborts on an unhandled exception. When this process is killed instead,
    /// its workers see their lifeline close and exit by themselves.
    /// </summary>
    internal static void InstallExitHandler()
    {
        if (Interlocked.Exchange(ref s_exitHandlerInstalled, 1) != 0)
            return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ShutDown();
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.IsTerminating)
                ShutDown();
        };
    }

    /// <summary>Terminates the daemons and joins every worker, once (Python's <c>_exit_function</c>).</summary>
    internal static void ShutDown()
    {
        if (Interlocked.Exchange(ref s_shutDown, 1) != 0)
            return;
        WorkerLog.ShuttingDown(FanoutLog.Logger);
        WorkerProcess[] workers;
        lock (LiveGate)
            workers = Live.ToArray(); // List's own copy: a spread here would load System.Linq into every worker's exit

        foreach (var daemon in workers)
        {
            if (!daemon._daemon || !daemon.IsAlive)
                continue;
            WorkerLog.TerminatingDaemon(FanoutLog.Logger, daemon.Name);
            daemon.Terminate();
        }

        foreach (var worker in workers)
        {
            WorkerLog.Joining(FanoutLog.Logger, worker.Name);
            if (worker._daemon && !worker.Join(DaemonGrace))
                worker.Kill();
            worker.Join();
        }
    }

    private static void Register(WorkerProcess worker)
    {
        lock (LiveGate)
            Live.Add(worker);
    }

    private static void Unregister(WorkerProcess worker)
    {
        lock (LiveGate)
            Live.Remove(worker);
    }
}
