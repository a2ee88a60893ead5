using System.Text.Json;

namespace Fanout;

/// <summary>
/// One message's worth of work for a pool worker: a chunk of calls of one target, and what to do
/// with the outcome. <see cref="Future"/> is the future the executor moves to running (and that
/// <see cref="Future.CancelOrKill"/> can cancel); <see cref="Complete"/> and <see cref="Fail"/>
/// finish it, and do nothing once it was cancelled.
/// </summary>
internal sealed class PoolJob(PoolTarget target, IReadOnlyList<JsonElement[]> items, Future future, Action<JsonElement[]> complete, Action<Exception> fail)
{
    internal PoolTarget Target { get; } = target;

    internal IReadOnlyList<JsonElement[]> Items { get; } = items;

    internal Future Future { get; } = future;

    internal void Complete(JsonElement[] values)
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
