using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// One message's worth of work for a pool worker: a chunk of calls of one target (their arguments
/// already written as a JSON array), and what to do with the outcome. <see cref="Future"/> is the
/// future the executor moves to running (and that <see cref="Future.CancelOrKill"/> can cancel);
/// <see cref="Complete"/> and <see cref="Fail"/> finish it, and do nothing once it was cancelled.
/// A <see cref="SlurmExecutor"/> sends the same jobs as files to cluster jobs.
/// </summary>
internal sealed class PoolJob(PoolTarget target, byte[] items, int count, Future future, Action<JsonElement> complete, Action<Exception> fail, PoolJob.CompactValues? completeCompact = null)
{
    /// <summary>Reads the values of a <see cref="CompactWire"/> reply (after its marker) into the future.</summary>
    internal delegate void CompactValues(ReadOnlySpan<byte> values);

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

    /// <summary>A job of one call (its arguments in <paramref name="items"/>), whose value completes <paramref name="future"/>.</summary>
    [RequiresUnreferencedCode("Results are deserialized with System.Text.Json reflection.")]
    internal static PoolJob ForOne<TResult>(PoolTarget target, PoolItems items, out Future<TResult> future)
    {
        var result = future = new Future<TResult>();
        var typed = target.ResultType == typeof(TResult);
        var resultKind = target.ResultKind;
        return new PoolJob(target, items.ToArray(), 1, result,
            values => result.TrySetResult(typed ? WireValue<TResult>.Read(values[0]) : Read<TResult>(values[0], target.ResultType)),
            e => result.TrySetException(e),
            values => result.TrySetResult(typed ? CompactValue<TResult>.Read(ref values) : (TResult)CompactWire.ReadBoxed(ref values, resultKind)!));
    }

    /// <summary>A job of one call, whose value completes <paramref name="future"/>.</summary>
    [RequiresUnreferencedCode("Results are deserialized with System.Text.Json reflection.")]
    internal static PoolJob ForOne<TResult>(PoolTarget target, JsonElement[] arguments, out Future<TResult> future)
    {
        using var items = PoolItems.Rent();
        items.Add(arguments);
        return ForOne(target, items, out future);
    }

    /// <summary>A job of a chunk of calls, whose values complete <paramref name="future"/> as one array.</summary>
    [RequiresUnreferencedCode("Results are deserialized with System.Text.Json reflection.")]
    internal static PoolJob ForChunk<TResult>(PoolTarget target, PoolItems items, out Future<TResult[]> future)
    {
        var result = future = new Future<TResult[]>();
        var count = items.Count;
        var typed = target.ResultType == typeof(TResult);
        return new PoolJob(target, items.ToArray(), count, result,
            values =>
            {
                var results = new TResult[count];
                var i = 0;
                foreach (var value in values.EnumerateArray())
                    results[i++] = typed ? WireValue<TResult>.Read(value) : Read<TResult>(value, target.ResultType);
                result.TrySetResult(results);
            },
            e => result.TrySetException(e),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (values) =>
            {
                var results = new TResult[count];
                for (var i = 0; i < results.Length; i++)
                    results[i] = typed ? CompactValue<TResult>.Read(ref values) : (TResult)CompactWire.ReadBoxed(ref values, target.ResultKind)!;
                result.TrySetResult(results);
            });
    }

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

    /// <summary>Reads the values of a <see cref="CompactWire"/> reply (after its marker) into the future.</summary>
    internal void CompleteCompact(ReadOnlySpan<byte> values)
    {
        try
        {
            if (completeCompact is null)
                throw new InvalidDataException("A compact reply came for a job that has no compact form.");
            completeCompact(values);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidCastException or NotSupportedException)
        {
            fail(new RemoteException(e.GetType().FullName ?? "", $"The result could not be read as {Target.ResultType.Name}: {e.Message}", null));
        }
    }

    internal void Fail(Exception exception) => fail(exception);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = WorkerSerializer.Justification)]
    private static TResult Read<TResult>(JsonElement value, Type resultType) =>
        resultType == typeof(void) ? default! : (TResult)WorkerSerializer.Deserialize(value, resultType)!;
}
