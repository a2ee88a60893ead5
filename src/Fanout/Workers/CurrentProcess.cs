using Fanout.Interop;

namespace Fanout;

/// <summary>
/// The process this code runs in, as Python's <c>multiprocessing.current_process()</c> describes
/// it: in a worker, its name, pid and parent; in the main program, <c>MainProcess</c>.
/// </summary>
/// <example>
/// <code>
/// static void Worker() => Console.WriteLine($"{CurrentProcess.Name} Starting");   // Process-3 Starting
/// </code>
/// </example>
public static class CurrentProcess
{
    private static string s_name = "MainProcess";
    private static int s_parentPid;
    private static int s_lastChild;

    /// <summary>This process's name: the worker's name in a worker, <c>MainProcess</c> otherwise. It can be changed.</summary>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public static string Name
    {
        get => Volatile.Read(ref s_name);
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            Volatile.Write(ref s_name, value);
        }
    }

    /// <summary>This process's id.</summary>
    public static int Pid => Environment.ProcessId;

    /// <summary>The id of the process that started this one (in a worker, the process that owns its <see cref="WorkerProcess"/>).</summary>
    public static int ParentPid => s_parentPid != 0 ? s_parentPid : Libc.getppid();

    /// <summary>True in a process started by <see cref="WorkerProcess.Start"/>.</summary>
    public static bool IsWorker { get; private set; }

    /// <summary>True in a worker started as a daemon.</summary>
    public static bool IsDaemon { get; private set; }

    /// <summary>The numbers that name this process among its ancestors' workers; empty in the main process.</summary>
    internal static int[] Identity { get; private set; } = [];

    /// <summary>The identity for the next worker this process creates: its own, then a count from 1.</summary>
    internal static int[] NextChildIdentity() => [.. Identity, Interlocked.Increment(ref s_lastChild)];

    /// <summary>Makes this process the worker the call describes (the worker host does this first).</summary>
    internal static void BecomeWorker(WorkerCall call)
    {
        Name = call.Name;
        Identity = call.Identity;
        s_parentPid = call.ParentPid;
        IsWorker = true;
        IsDaemon = call.Daemon;
    }
}
