using Microsoft.Extensions.Logging;

namespace Fanout;

/// <summary>The workers' lifecycle messages, worded after Python's multiprocessing logger.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "started {Name} (pid {Pid})")]
    internal static partial void Started(ILogger logger, string name, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "child process calling Run()")]
    internal static partial void CallingRun(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "process shutting down")]
    internal static partial void ShuttingDown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "process exiting with exitcode {ExitCode}")]
    internal static partial void Exiting(ILogger logger, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "calling Terminate() for daemon {Name}")]
    internal static partial void TerminatingDaemon(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "calling Join() for process {Name}")]
    internal static partial void Joining(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "sending {Signal} to {Name} (pid {Pid})")]
    internal static partial void Signalling(ILogger logger, string signal, string name, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name} (pid {Pid}) {Status}")]
    internal static partial void Ended(ILogger logger, string name, int pid, ExitStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the parent process is gone; {Name} stops now")]
    internal static partial void LifelineLost(ILogger logger, string name);
}
