using Microsoft.Extensions.Logging;

namespace Fanout;

/// <summary>Writes <c>[LEVEL/ProcessName] message</c> lines to standard error, as Python's multiprocessing logger does.</summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
            return;
        var line = $"[{LevelName(logLevel)}/{CurrentProcess.Name}] {formatter(state, exception)}";
        if (exception is not null)
            line += Environment.NewLine + exception;
        Console.Error.WriteLine(line);
    }

    /// <summary>Python's level names, so the lines read as the seed shows them.</summary>
    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };
}
