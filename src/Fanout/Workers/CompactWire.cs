using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Fanout;

/// <summary>
/// A binary form of pool tasks and replies for the commonest targets: one parameter and a result
/// that are each an <see cref="int"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>
/// or <see cref="string"/>. Such a call costs a few bytes copied instead of a JSON write and a
/// parse on each side. Every other target, and every error, keeps <see cref="PoolWire"/>'s JSON.
/// <code>
/// items            kind(1) count(4) value…                              built by PoolItems at the call site
/// parent → worker  0xF1 id(4) targetLength(4) target items           the target (binary, WorkerWire.WritePoolTarget) only the first time
///                  0xF3                                               finish and exit with 0
/// worker → parent  0xF2 value…                                          one value per call, in order
/// </code>
/// The first byte tells the frames apart: JSON frames begin with <c>{</c> and JSON items with <c>[</c>.
/// </summary>
internal static class CompactWire
{
    /// <summary>The first byte of a compact task frame.</summary>
    internal const byte TaskMarker = 0xF1;

    /// <summary>The first byte of a compact reply with every value of a task.</summary>
    internal const byte ValuesMarker = 0xF2;

    /// <summary>The whole frame that tells a pool worker to finish: one byte, so exiting needs no JSON parser.</summary>
    internal const byte ExitMarker = 0xF3;

    /// <summary>The length of the items header: kind and count.</summary>
    internal const int ItemsHeaderLength = 5;

    /// <summary>The compact kind of values declared as <paramref name="type"/>, or <see cref="CompactKind.None"/>.</summary>
    internal static CompactKind KindOf(Type type) =>
        type == typeof(int) ? CompactKind.Int32
        : type == typeof(long) ? CompactKind.Int64
        : type == typeof(double) ? CompactKind.Double
        : type == typeof(bool) ? CompactKind.Boolean
        : type == typeof(string) ? CompactKind.String
        : CompactKind.None;

    /// <summary>Writes a boxed value of <paramref name="kind"/> (its type already checked).</summary>
    internal static void WriteBoxed(IBufferWriter<byte> output, CompactKind kind, object? value)
    {
        switch (kind)
        {
            case CompactKind.Int32:
                CompactValue<int>.Write(output, (int)value!);
                break;
            case CompactKind.Int64:
                CompactValue<long>.Write(output, (long)value!);
                break;
            case CompactKind.Double:
                CompactValue<double>.Write(output, (double)value!);
                break;
            case CompactKind.Boolean:
                CompactValue<bool>.Write(output, (bool)value!);
                break;
            case CompactKind.String:
                CompactValue<string?>.Write(output, (string?)value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a compact kind.");
        }
    }

    /// <summary>Reads a value of <paramref name="kind"/>, boxed, and moves <paramref name="input"/> past it.</summary>
    /// <exception cref="InvalidDataException">The bytes end inside the value.</exception>
    internal static object? ReadBoxed(ref ReadOnlySpan<byte> input, CompactKind kind) => kind switch
    {
        CompactKind.Int32 => CompactValue<int>.Read(ref input),
        CompactKind.Int64 => CompactValue<long>.Read(ref input),
        CompactKind.Double => CompactValue<double>.Read(ref input),
        CompactKind.Boolean => CompactValue<bool>.Read(ref input),
        CompactKind.String => CompactValue<string?>.Read(ref input),
        _ => throw new InvalidDataException($"Unknown compact value kind {(int)kind}."),
    };

    /// <summary>Reads an items header: the kind of the values and how many calls follow.</summary>
    /// <exception cref="InvalidDataException">The header is cut short or wrong.</exception>
    internal static (CompactKind Kind, int Count) ReadItemsHeader(ref ReadOnlySpan<byte> input)
    {
        if (input.Length < ItemsHeaderLength)
            throw Truncated();
        var kind = (CompactKind)input[0];
        var count = BinaryPrimitives.ReadInt32LittleEndian(input[1..]);
        if (count < 0)
            throw new InvalidDataException($"A compact task announced {count} calls.");
        input = input[ItemsHeaderLength..];
        return (kind, count);
    }

    /// <summary>Writes <paramref name="text"/> as its UTF-8 length (-1 for null) and bytes.</summary>
    internal static void WriteText(IBufferWriter<byte> output, string? text)
    {
        if (text is null)
        {
            WriteInt32(output, -1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(text);
        var span = output.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        Encoding.UTF8.GetBytes(text, span[4..]);
        output.Advance(4 + length);
    }

    /// <exception cref="InvalidDataException">The bytes end inside the text.</exception>
    internal static string? ReadText(ref ReadOnlySpan<byte> input)
    {
        var length = ReadInt32(ref input);
        if (length == -1)
            return null;
        if (length < 0 || input.Length < length)
            throw Truncated();
        var text = length == 0 ? "" : Encoding.UTF8.GetString(input[..length]);
        input = input[length..];
        return text;
    }

    internal static void WriteInt32(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    /// <exception cref="InvalidDataException">Fewer than four bytes are left.</exception>
    internal static int ReadInt32(ref ReadOnlySpan<byte> input)
    {
        if (input.Length < 4)
            throw Truncated();
        var value = BinaryPrimitives.ReadInt32LittleEndian(input);
        input = input[4..];
        return value;
    }

    internal static InvalidDataException Truncated() => new("A compact pool message ended inside a value.");
}
