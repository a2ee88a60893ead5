using Fanout.Interop;

namespace Fanout;

/// <summary>
/// The .NET runtime keeps three files in the temp folder for every process it runs (a debugger
/// pipe pair and a diagnostics socket, named by pid and start time) and removes them only when the
/// process exits normally. A worker killed by a signal (a task's timeout, CancelOrKill, Terminate)
/// would leave them behind for good, so they are removed once such a worker has been reaped.
/// </summary>
internal static class RuntimeLeftovers
{
    /// <summary>
    /// Arranges for <paramref name="worker"/>'s runtime files to be removed if a signal ends it.
    /// Call right after the start: the files are named by the start time /proc gives, which is gone once it is reaped.
    /// </summary>
    internal static void RemoveIfKilled(ChildProcess worker)
    {
        if (StartTime(worker.Pid) is not { } key)
            return;
        var folder = Path.GetTempPath();
        var pid = worker.Pid;
        _ = worker.Exited.ContinueWith(
            exited =>
            {
                if (exited.Result.Signal is null)
                    return;
                foreach (var name in Names(pid, key))
                {
                    try
                    {
                        File.Delete(Path.Combine(folder, name));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Someone else's folder or file: nothing of ours to tidy.
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The runtime's file names for process <paramref name="pid"/> started at <paramref name="startTime"/>.</summary>
    internal static string[] Names(int pid, string startTime) =>
        [$"clr-debug-pipe-{pid}-{startTime}-in", $"clr-debug-pipe-{pid}-{startTime}-out", $"dotnet-diagnostic-{pid}-{startTime}-socket"];

    /// <summary>Field 22 of /proc/PID/stat, the start time in clock ticks after boot: the runtime's disambiguation key.</summary>
    internal static string? StartTime(int pid) => ProcStat.FieldsAfterName(pid) is { Length: > 19 } fields ? fields[19] : null;
}
