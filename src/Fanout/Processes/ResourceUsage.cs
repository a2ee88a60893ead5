namespace Fanout;

/// <summary>What a finished child process used, as the kernel accounted it (<c>wait4</c>).</summary>
/// <param name="UserTime">CPU time spent in user mode.</param>
/// <param name="SystemTime">CPU time spent in the kernel on the process's behalf.</param>
/// <param name="MaxResidentBytes">Peak resident set size, in bytes.</param>
/// <param name="WallTime">From the start of the process to the moment its exit was seen.</param>
public sealed record ResourceUsage(TimeSpan UserTime, TimeSpan SystemTime, long MaxResidentBytes, TimeSpan WallTime)
{
    /// <summary>User plus system CPU time.</summary>
    public TimeSpan CpuTime => UserTime + SystemTime;
}
