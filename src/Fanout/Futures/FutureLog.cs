using Microsoft.Extensions.Logging;

namespace Fanout;

/// <summary>Messages of the futures and pools layers.</summary>
internal static partial class FutureLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "a done callback of {Future} threw; the exception is logged and ignored")]
    internal static partial void CallbackFailed(ILogger logger, Exception exception, string future);

    [LoggerMessage(Level = LogLevel.Debug, Message = "pool worker {Name} (pid {Pid}) {Status}")]
    internal static partial void WorkerEnded(ILogger logger, string name, int pid, ExitStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pool worker {Name} (pid {Pid}) killed: {Reason}")]
    internal static partial void WorkerKilled(ILogger logger, string name, int pid, string reason);
}
