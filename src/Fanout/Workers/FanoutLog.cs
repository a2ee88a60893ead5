using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fanout;

/// <summary>
/// Where Fanout's lifecycle messages go (Python's <c>multiprocessing.get_logger()</c> and
/// <c>log_to_stderr()</c>): a worker started, calling <c>Run</c>, exiting with its exit code,
/// terminated; the main process shutting down and joining its workers. Nothing is logged until
/// a logger is set.
/// </summary>
/// <example>
/// <code>
/// FanoutLog.LogToStderr(LogLevel.Debug);   // [INFO/Process-1] child process calling Run()
/// FanoutLog.Logger = loggerFactory.CreateLogger("Fanout");   // or your own logging pipeline
/// </code>
/// </example>
public static class FanoutLog
{
    private static ILogger s_logger = NullLogger.Instance;
    private static LogLevel? s_stderrLevel;

    /// <summary>
    /// The logger Fanout writes to; <see cref="NullLogger.Instance"/> until set. A logger set here
    /// serves this process only: workers log only when <see cref="LogToStderr"/> was called, since
    /// an arbitrary logger cannot be rebuilt in another process.
    /// </summary>
    public static ILogger Logger
    {
        get => Volatile.Read(ref s_logger);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref s_logger, value);
            s_stderrLevel = null;
        }
    }

    /// <summary>The level of the stderr logging set by <see cref="LogToStderr"/>, or null.</summary>
    internal static LogLevel? StderrLevel => s_stderrLevel;

    /// <summary>
    /// Logs Fanout's messages at <paramref name="level"/> and above to standard error as
    /// <c>[LEVEL/ProcessName] message</c>, in this process and in every worker it starts
    /// afterwards (Python's <c>log_to_stderr(level)</c>). Returns the logger.
    /// </summary>
    public static ILogger LogToStderr(LogLevel level = LogLevel.Information)
    {
        var logger = new StderrLogger(level);
        Logger = logger;
        s_stderrLevel = level;
        WorkerProcess.InstallExitHandler();
        return logger;
    }
}
