using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Fanout.Tests;

/// <summary>The worker's envelopes and the values in them, written without the serializer where it can, and read back the same.</summary>
public sealed class WireSpecs
{
    public static TheoryData<object?, Type> Values => new()
    {
        { null, typeof(string) },
        { null, typeof(int?) },
        { true, typeof(bool) },
        { false, typeof(bool?) },
        { 0, typeof(int) },
        { int.MinValue, typeof(int) },
        { int.MaxValue, typeof(int?) },
        { long.MinValue, typeof(long) },
        { long.MaxValue, typeof(long) },
        { 0.1, typeof(double) },
        { -0.0, typeof(double) },
        { 1e300, typeof(double) },
        { double.Epsilon, typeof(double) },
        { -123.456e-7, typeof(double) },
        { "", typeof(string) },
        { "plain text, digits 0123 and punctuation: ()[]{}!?#%*", typeof(string) },
    };

    [Theory(Timeout = 5_000)]
    [MemberData(nameof(Values))]
    public async Task Primitives_are_written_as_the_serializer_writes_them_and_read_back_equal(object? value, Type type)
    {
        var fast = JsonPrimitives.TryWrite(value, type);

        Assert.NotNull(fast);
        Assert.Equal(JsonSerializer.Serialize(value, type, WorkerSerializer.Options), Encoding.UTF8.GetString(fast));
        Assert.True(JsonPrimitives.TryRead(fast, type, out var read));
        Assert.Equal(value, read);
        if (value is double d)
            Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits((double)read!));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Random_doubles_and_integers_round_trip_exactly_and_the_serializer_reads_what_the_fast_path_wrote()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 20_000; i++)
        {
            var d = BitConverter.Int64BitsToDouble(random.NextInt64());
            var l = random.NextInt64(long.MinValue, long.MaxValue);
            if (JsonPrimitives.TryWrite(d, typeof(double)) is { } written)
            {
                Assert.True(JsonPrimitives.TryRead(written, typeof(double), out var back));
                Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits((double)back!));
                Assert.Equal(d, JsonSerializer.Deserialize<double>(written, WorkerSerializer.Options));
            }
            else
            {
                Assert.False(double.IsFinite(d));
            }

            var text = JsonPrimitives.TryWrite(l, typeof(long))!;
            Assert.True(JsonPrimitives.TryRead(text, typeof(long), out var longBack));
            Assert.Equal(l, longBack);
        }

        await Task.CompletedTask;
    }

    public static TheoryData<object?, Type> LeftToTheSerializer => new()
    {
        { double.NaN, typeof(double) },
        { double.NegativeInfinity, typeof(double) },
        { "quote \" inside", typeof(string) },
        { "back\\slash", typeof(string) },
        { "héllo", typeof(string) },
        { "tab\t", typeof(string) },
        { "<html>", typeof(string) },
        { null, typeof(int) },
        { new Point(1, 2), typeof(Point) },
    };

    [Theory(Timeout = 5_000)]
    [MemberData(nameof(LeftToTheSerializer))]
    public async Task Values_the_fast_path_cannot_write_exactly_as_the_serializer_are_left_to_it(object? value, Type type)
    {
        Assert.Null(JsonPrimitives.TryWrite(value, type));
        if (value is null && type.IsValueType)
            return;
        var json = WorkerSerializer.SerializeToUtf8(value, type);
        Assert.Equal(value, WorkerSerializer.Deserialize(json, type));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_value_of_another_type_than_the_declared_one_is_left_to_the_serializer()
    {
        Assert.Null(JsonPrimitives.TryWrite(5, typeof(long)));
        Assert.Null(JsonPrimitives.TryWrite(5, typeof(object)));
        Assert.Null(JsonPrimitives.TryWrite("text", typeof(object)));
        await Task.CompletedTask;
    }

    [Theory(Timeout = 5_000)]
    [InlineData("1.0", typeof(int))]
    [InlineData("01", typeof(int))]
    [InlineData("+1", typeof(int))]
    [InlineData("1e3", typeof(long))]
    [InlineData("2147483648", typeof(int))]
    [InlineData(".5", typeof(double))]
    [InlineData("1.", typeof(double))]
    [InlineData("\"NaN\"", typeof(double))]
    [InlineData("null", typeof(int))]
    [InlineData("\"a\\nb\"", typeof(string))]
    [InlineData("\"\\u00e9\"", typeof(string))]
    [InlineData("1", typeof(string))]
    [InlineData("tru", typeof(bool))]
    [InlineData("{\"X\":1,\"Y\":2}", typeof(Point))]
    public async Task Text_the_fast_path_does_not_read_goes_to_the_serializer_which_reads_it_or_names_the_problem(string json, Type type)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.False(JsonPrimitives.TryRead(bytes, type, out _));
        try
        {
            var read = WorkerSerializer.Deserialize(bytes, type);
            Assert.Equal(JsonSerializer.Deserialize(bytes, type, WorkerSerializer.Options), read);
        }
        catch (JsonException)
        {
            // The serializer refuses it too, with its own message: nothing was read wrongly.
        }

        await Task.CompletedTask;
    }

    [Theory(Timeout = 5_000)]
    [InlineData("\"plain\"", typeof(string), "plain")]
    [InlineData("\"esc\\\"aped\"", typeof(string), "esc\"aped")]
    [InlineData("-7", typeof(int), -7)]
    [InlineData("null", typeof(string), null)]
    [InlineData("true", typeof(bool?), true)]
    public async Task A_value_inside_a_pools_JSON_frame_reads_the_same_as_on_its_own(string json, Type type, object? expected)
    {
        using var document = JsonDocument.Parse($"[{json}]");

        Assert.Equal(expected, WorkerSerializer.Deserialize(document.RootElement[0], type));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_call_crosses_the_binary_envelope_with_every_field()
    {
        var call = new WorkerCall
        {
            Name = "Process-7 ünïcode",
            Identity = [3, 7],
            ParentPid = 4242,
            Daemon = true,
            StderrLogLevel = Microsoft.Extensions.Logging.LogLevel.Debug,
            Target = EveryTargetField(),
            Arguments = ["1"u8.ToArray(), "\"two\""u8.ToArray(), []],
            Instance = "{\"Factor\":3}"u8.ToArray(),
            InheritedDescriptors = 2,
        };

        var read = WorkerWire.ReadCall(WorkerWire.Write(call));

        Assert.Equal(call.Name, read.Name);
        Assert.Equal(call.Identity, read.Identity);
        Assert.Equal((call.ParentPid, call.Daemon, call.StderrLogLevel, call.InheritedDescriptors), (read.ParentPid, read.Daemon, read.StderrLogLevel, read.InheritedDescriptors));
        Assert.Equal(call.Target with { GenericArguments = [] }, read.Target with { GenericArguments = [] });
        Assert.Equal(call.Target.GenericArguments, read.Target.GenericArguments);
        Assert.Equal(call.Arguments, read.Arguments);
        Assert.Equal(call.Instance, read.Instance);
        var bare = WorkerWire.ReadCall(WorkerWire.Write(call with { StderrLogLevel = null, Instance = null, Target = call.Target with { AssemblyPath = null, Method = null } }));
        Assert.Null(bare.StderrLogLevel);
        Assert.Null(bare.Instance);
        Assert.Null(bare.Target.AssemblyPath);
        await Task.CompletedTask;
    }

    /// <summary>A target reference with every field set, optional ones included.</summary>
    private static TargetReference EveryTargetField() => new()
    {
        Kind = TargetKind.Instance,
        Assembly = "Some.Assembly, Version=1.2.3.4, Culture=neutral, PublicKeyToken=null",
        AssemblyPath = "/opt/app/Some.Assembly.dll",
        ModuleVersionId = Guid.NewGuid(),
        Type = "Some.Type, Some.Assembly",
        Method = "Run",
        MethodToken = 0x06000012,
        Signature = "Int32 Run(Int32, System.String)",
        NativeAssemblyIndex = 4,
        TypeToken = 0x02000003,
        GenericArguments = ["System.Int32", "System.String"],
    };

    [Fact(Timeout = 5_000)]
    public async Task A_pool_task_target_crosses_in_binary_inside_a_frame_with_or_without_its_instance()
    {
        var target = EveryTargetField();
        using var instance = JsonDocument.Parse("{\"Factor\":3}");
        var output = new ArrayBufferWriter<byte>();
        output.Write("prefix"u8);
        WorkerWire.WritePoolTarget(output, target, instance.RootElement);
        var withInstance = output.WrittenCount - 6;
        WorkerWire.WritePoolTarget(output, target with { AssemblyPath = null }, null);
        var frame = output.WrittenSpan.ToArray();

        var (read, json) = WorkerWire.ReadPoolTarget(frame, 6, withInstance);
        var (bare, none) = WorkerWire.ReadPoolTarget(frame, 6 + withInstance, frame.Length - 6 - withInstance);

        Assert.Equal(target with { GenericArguments = [] }, read with { GenericArguments = [] });
        Assert.Equal(target.GenericArguments, read.GenericArguments);
        Assert.Equal("{\"Factor\":3}", System.Text.Encoding.UTF8.GetString(json!));
        Assert.Null(bare.AssemblyPath);
        Assert.Null(none);
        for (var length = 0; length < withInstance; length++)
            Assert.Throws<IOException>(() => WorkerWire.ReadPoolTarget(frame, 6, length));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_reply_carries_a_value_or_an_error_with_its_inner_errors()
    {
        var value = WorkerWire.ReadReply(WorkerWire.Write(new WorkerReply { Value = "42"u8.ToArray() }));
        var error = WorkerWire.ReadReply(WorkerWire.Write(new WorkerReply
        {
            Error = new RemoteError("System.InvalidOperationException", "outer", "   at A.B()", new RemoteError("System.FormatException", "inner", null, null)),
        }));
        var none = WorkerWire.ReadReply(WorkerWire.Write(new WorkerReply()));

        Assert.Equal("42"u8.ToArray(), value.Value);
        Assert.Null(value.Error);
        Assert.Equal("outer", error.Error!.Message);
        Assert.Equal("   at A.B()", error.Error.StackTrace);
        Assert.Equal(new RemoteError("System.FormatException", "inner", null, null), error.Error.Inner);
        Assert.Null(none.Value);
        Assert.Null(none.Error);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_cut_short_or_padded_frame_is_an_IOException_never_a_wrong_call()
    {
        var frame = WorkerWire.Write(new WorkerCall
        {
            Name = "w",
            Identity = [1],
            Target = new TargetReference { Kind = TargetKind.Static, Assembly = "A", Type = "T", Method = "M" },
            Arguments = ["12345"u8.ToArray()],
        });

        for (var length = 0; length < frame.Length; length++)
            Assert.Throws<IOException>(() => WorkerWire.ReadCall(frame[..length]));
        Assert.Throws<IOException>(() => WorkerWire.ReadCall([.. frame, 0]));
        Assert.Throws<IOException>(() => WorkerWire.ReadCall([.. BitConverter.GetBytes(99), .. frame[4..]]));
        Assert.Throws<IOException>(() => WorkerWire.ReadReply([1, 0xFF, 0xFF, 0xFF, 0x7F]));
        await Task.CompletedTask;
    }
}
