using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Fanout;

/// <summary>Runs calls of a method of one argument through a typed delegate: no argument array, no boxing, no reflection per call.</summary>
internal sealed class TypedTaskRunner<T, TResult>(Func<T, TResult> fn) : PoolTaskRunner
{
    internal override void Run(JsonElement items, Utf8JsonWriter values, ref int index)
    {
        foreach (var item in items.EnumerateArray())
        {
            var value = fn(WireValue<T>.Read(item[0]));
            try
            {
                WireValue<TResult>.Write(values, value);
            }
            catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
            {
                throw Unsendable(value, typeof(TResult), e);
            }

            index++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // A large chunk's loop: optimized from its first run.
    internal override void RunCompact(ReadOnlySpan<byte> items, IBufferWriter<byte> values, ref int index)
    {
        if (CompactValue<T>.Kind == CompactKind.None || CompactValue<TResult>.Kind == CompactKind.None)
        {
            base.RunCompact(items, values, ref index);
            return;
        }

        var (kind, count) = CompactWire.ReadItemsHeader(ref items);
        if (kind != CompactValue<T>.Kind)
            throw new InvalidDataException($"The task's values are {kind}, but the parameter is a {typeof(T).Name}.");
        for (var i = 0; i < count; i++)
        {
            CompactValue<TResult>.Write(values, fn(CompactValue<T>.Read(ref items)));
            index++;
        }
    }
}
