using System.Text.Json;

namespace Fanout;

/// <summary>Runs calls of any method shape (several arguments, none, void, tasks) through its reflection invoker.</summary>
internal sealed class ReflectionTaskRunner(Func<JsonElement[], object?> invoke, Type resultType) : PoolTaskRunner
{
    internal override void Run(JsonElement items, Utf8JsonWriter values, ref int index)
    {
        foreach (var item in items.EnumerateArray())
        {
            var value = invoke([.. item.EnumerateArray()]);
            if (resultType == typeof(void))
            {
                values.WriteNullValue();
            }
            else
            {
                try
                {
                    WorkerSerializer.Write(values, value, resultType);
                }
                catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
                {
                    throw Unsendable(value, resultType, e);
                }
            }

            index++;
        }
    }
}
