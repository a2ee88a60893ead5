using System.Text.Json.Serialization;

[assembly: Fanout.WorkerJsonContext(typeof(Fanout.Tests.WorkerJsonContextSpecs.SnakeJson))]

namespace Fanout.Tests;

/// <summary>
/// Source-generated contexts named by [assembly: WorkerJsonContext] come before reflection: in a
/// trimmed or native application they are the only way for other types to cross (see NativeWorkerSpecs).
/// </summary>
public sealed partial class WorkerJsonContextSpecs : ProcessTestBase
{
    [Fact(Timeout = 30_000)]
    public async Task The_named_context_comes_first_among_the_resolvers_of_values_crossing_to_workers()
    {
        var resolvers = WorkerSerializer.Options.TypeInfoResolverChain;

        Assert.IsType<SnakeJson>(resolvers[0]);
        Assert.NotNull(resolvers[0].GetTypeInfo(typeof(Reading), WorkerSerializer.Options));
        Assert.IsType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>(resolvers[^1]); // reflection, last, under the JIT
        var json = WorkerSerializer.SerializeToUtf8(new Reading("probe", 2.5), typeof(Reading));
        Assert.Equal(new Reading("probe", 2.5), WorkerSerializer.Deserialize(json, typeof(Reading)));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_worker_receives_and_returns_values_of_the_context_s_types()
    {
        var worker = new WorkerProcess(Scale, new Reading("probe", 2.5), 4);
        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(new Reading("probe", 10.0), worker.Result);
    }

    internal static Reading Scale(Reading reading, int factor) => reading with { ValueRead = reading.ValueRead * factor };

    internal sealed record Reading(string SensorName, double ValueRead);

    [JsonSerializable(typeof(Reading))]
    internal sealed partial class SnakeJson : JsonSerializerContext;
}
