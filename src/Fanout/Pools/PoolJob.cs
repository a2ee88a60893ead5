using System.Text.Json;

namespace Fanout;

/// <summary>
/// One message's worth of work for a pool worker: a chunk of calls of one target (their arguments
/// already written as a JSON array), and what to do with the outcome. <see cref="Future"/> is the
/// future the executor moves to running (and that <see cref="Future.CancelOrKill"/> can cancel);
/// <see cref="Complete"/> and <see cref="Fail"/> finish it, and do nothing once it was cancelled.
/// </summary>
internal sealed class PoolJob(PoolTarget target, byte[] items, int count, Future future, Action<JsonElement> complete, Action<Exception> fail)
{
    internal PoolTarget Target { get; } = target;

    /// <summary>The JSON array of the calls' argument arrays.</summary>
    internal byte[] Items { get; } = items;

    /// <summary>How many calls the chunk holds.</summary>
    internal int Count { get; } = count;

    internal Future Future { get; } = future;

    /// <summary>True once its future was moved to running (it stays so if it must be sent to another worker).</summary>
    internal bool Started { get; set; }

    /// <summary>When it was last sent to a worker (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    internal long SentAt { get; set; }

    /// <summary>Reads the values (a JSON array, one per call) into the future.</summary>
    internal void Complete(JsonElement values)
    {
        try
        {
            complete(values);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or InvalidCastException)
        {
            fail(new RemoteException(e.GetType().FullName ?? "", $"The result could not be read as {Target.ResultType.Name}: {e.Message}", null));
        }
    }

    internal void Fail(Exception exception) => fail(exception);
}
