using System.Buffers;
using System.Text.Json;

namespace Fanout.Tests.Pools;

/// <summary>The compact pool wire on its own: every primitive kind and its edge values, without processes.</summary>
public sealed class CompactWireSpecs
{
    public static TheoryData<int> Ints => [int.MinValue, -1, 0, 1, int.MaxValue];

    public static TheoryData<long> Longs => [long.MinValue, -1L, 0L, long.MaxValue];

    public static TheoryData<double> Doubles => [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon, double.MinValue, double.MaxValue, 0.1];

    public static TheoryData<string?> Texts => [null, "", "a", "héllo wörld ✓ 𝄞 日本語", new string('x', 100_000)];

    [Theory(Timeout = 5_000)]
    [MemberData(nameof(Ints))]
    public async Task An_int_round_trips(int value)
    {
        Assert.Equal(value, RoundTrip(value));
        await Task.CompletedTask;
    }

    [Theory(Timeout = 5_000)]
    [MemberData(nameof(Longs))]
    public async Task A_long_round_trips(long value)
    {
        Assert.Equal(value, RoundTrip(value));
        await Task.CompletedTask;
    }

    [Theory(Timeout = 5_000)]
    [MemberData(nameof(Doubles))]
    public async Task A_double_round_trips_bit_for_bit(double value)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(RoundTrip(value)));
        await Task.CompletedTask;
    }

    [Theory(Timeout = 5_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_bool_round_trips(bool value)
    {
        Assert.Equal(value, RoundTrip(value));
        await Task.CompletedTask;
    }

    [Theory(Timeout = 5_000)]
    [MemberData(nameof(Texts))]
    public async Task A_string_round_trips_null_empty_and_unicode_included(string? value)
    {
        Assert.Equal(value, RoundTrip(value));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task Boxed_values_read_back_as_their_kind()
    {
        var buffer = new ArrayBufferWriter<byte>();
        object?[] values = [int.MinValue, long.MaxValue, double.NaN, true, "ü", null];
        CompactKind[] kinds = [CompactKind.Int32, CompactKind.Int64, CompactKind.Double, CompactKind.Boolean, CompactKind.String, CompactKind.String];
        for (var i = 0; i < values.Length; i++)
            CompactWire.WriteBoxed(buffer, kinds[i], values[i]);

        ReadOnlySpan<byte> input = buffer.WrittenSpan;
        var read = new List<object?>();
        foreach (var kind in kinds)
            read.Add(CompactWire.ReadBoxed(ref input, kind));

        Assert.Equal(values, read);
        Assert.True(input.IsEmpty);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task Only_the_five_primitive_types_have_a_compact_kind()
    {
        Assert.Equal(CompactKind.Int32, CompactWire.KindOf(typeof(int)));
        Assert.Equal(CompactKind.Int64, CompactWire.KindOf(typeof(long)));
        Assert.Equal(CompactKind.Double, CompactWire.KindOf(typeof(double)));
        Assert.Equal(CompactKind.Boolean, CompactWire.KindOf(typeof(bool)));
        Assert.Equal(CompactKind.String, CompactWire.KindOf(typeof(string)));
        foreach (var other in new[] { typeof(int?), typeof(decimal), typeof(float), typeof(object), typeof(DateTime), typeof(List<int>), typeof(void), typeof(Task<int>) })
            Assert.Equal(CompactKind.None, CompactWire.KindOf(other));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_value_cut_short_is_refused_not_misread()
    {
        var buffer = new ArrayBufferWriter<byte>();
        CompactValue<long>.Write(buffer, 42);
        CompactValue<string?>.Write(buffer, "hello");

        Assert.Throws<InvalidDataException>(() =>
        {
            ReadOnlySpan<byte> input = buffer.WrittenSpan[..5];
            return CompactValue<long>.Read(ref input);
        });
        Assert.Throws<InvalidDataException>(() =>
        {
            ReadOnlySpan<byte> input = buffer.WrittenSpan[8..^1];
            return CompactValue<string?>.Read(ref input);
        });
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_compact_chunk_counts_its_calls_and_a_json_chunk_stays_an_array()
    {
        var target = Target(PoolTargets.Double, 1);
        Assert.True(target.IsCompact);
        byte[] compact;
        using (var items = PoolItems.Rent())
        {
            items.UseCompact(target.ArgumentKind);
            items.Add(target, 7);
            items.Add(target, [int.MinValue]);
            compact = items.ToArray();
        }

        ReadOnlySpan<byte> input = compact;
        Assert.Equal((CompactKind.Int32, 2), CompactWire.ReadItemsHeader(ref input));
        Assert.Equal(7, CompactValue<int>.Read(ref input));
        Assert.Equal(int.MinValue, CompactValue<int>.Read(ref input));
        Assert.True(PoolWire.IsCompact(compact));

        using (var items = PoolItems.Rent())
        {
            items.Add(target, 7);
            var json = items.ToArray();
            Assert.False(PoolWire.IsCompact(json));
            Assert.Equal("[[7]]", System.Text.Encoding.UTF8.GetString(json));
        }

        using (var items = PoolItems.Rent())
            Assert.Equal("[]", System.Text.Encoding.UTF8.GetString(items.ToArray()));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task Targets_with_other_shapes_keep_json()
    {
        Assert.False(Target(PoolTargets.MaybeDouble, 1).IsCompact);
        Assert.False(Target(PoolTargets.Half, 1m).IsCompact);
        Assert.False(Target(PoolTargets.Add, 1, 2).IsCompact);
        Assert.False(Target(PoolTargets.SetMarker, "a").IsCompact);
        Assert.True(Target(PoolTargets.Length, "a").IsCompact);
        Assert.True(Target(PoolTargets.Text, 1).IsCompact);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_compact_argument_of_the_wrong_type_or_a_null_number_is_refused_naming_it()
    {
        var target = Target(PoolTargets.Double, 1);
        using var items = PoolItems.Rent();
        items.UseCompact(target.ArgumentKind);

        var wrongType = Assert.Throws<ArgumentException>(() => items.Add(target, ["seven"]));
        var missing = Assert.Throws<ArgumentException>(() => items.Add(target, [null]));

        Assert.Contains("Argument 1 of Double", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("Argument 1 of Double", missing.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    private static T RoundTrip<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        CompactValue<T>.Write(buffer, value);
        ReadOnlySpan<byte> input = buffer.WrittenSpan;
        var read = CompactValue<T>.Read(ref input);
        Assert.True(input.IsEmpty);
        return read;
    }

    private static PoolTarget Target(Delegate fn, params object?[] args) =>
        PoolTarget.From(fn, args, (_, _) => 1, out JsonElement[] _);
}
