using System.Text;

namespace Fanout;

/// <summary>
/// An exception thrown by a worker's code in the worker process, as the parent sees it: the
/// child's exception type name, message and stack trace (the exception object itself cannot
/// cross the process boundary). Inner exceptions arrive as inner <see cref="RemoteException"/>s.
/// </summary>
/// <example>
/// <code>
/// var worker = new WorkerProcess(Parse, "not a number");
/// worker.Start();
/// worker.Join();
/// Console.WriteLine(worker.Error?.RemoteType);        // System.FormatException
/// Console.WriteLine(worker.Error?.RemoteStackTrace);  // at Program.Parse(String text) …
/// </code>
/// </example>
public sealed class RemoteException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="remoteType">The full name of the exception's type in the worker.</param>
    /// <param name="remoteMessage">Its message.</param>
    /// <param name="remoteStackTrace">Its stack trace in the worker, if it had one.</param>
    /// <param name="workerName">The worker's name.</param>
    /// <param name="pid">The worker's process id.</param>
    /// <param name="innerException">The remote inner exception, if any.</param>
    public RemoteException(string remoteType, string remoteMessage, string? remoteStackTrace, string? workerName = null, int? pid = null, RemoteException? innerException = null)
        : base(Describe(remoteType, remoteMessage, workerName, pid), innerException)
    {
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
        WorkerName = workerName;
        Pid = pid;
    }

    /// <summary>The full name of the exception's type in the worker, such as <c>System.InvalidOperationException</c>.</summary>
    public string RemoteType { get; }

    /// <summary>The exception's message in the worker.</summary>
    public string RemoteMessage { get; }

    /// <summary>The stack trace in the worker, where the exception was thrown.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>The name of the worker it was thrown in.</summary>
    public string? WorkerName { get; }

    /// <summary>The process id of the worker it was thrown in.</summary>
    public int? Pid { get; }

    /// <summary>The type, message and remote stack trace, then the inner exceptions and the local stack trace.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(GetType().FullName).Append(": ").Append(Message);
        if (RemoteStackTrace is { Length: > 0 } remote)
            text.AppendLine().Append("--- stack trace in the worker ---").AppendLine().Append(remote);
        if (InnerException is { } inner)
            text.AppendLine().Append(" ---> ").Append(inner).AppendLine().Append("   --- End of inner exception stack trace ---");
        if (StackTrace is { Length: > 0 } local)
            text.AppendLine().Append("--- stack trace in this process ---").AppendLine().Append(local);
        return text.ToString();
    }

    private static string Describe(string type, string message, string? worker, int? pid) =>
        worker is null
            ? $"{type}: {message}"
            : pid is null ? $"{type} in worker '{worker}': {message}" : $"{type} in worker '{worker}' (pid {pid}): {message}";
}
