using System.Buffers;
using System.Buffers.Binary;

namespace Fanout;

/// <summary>
/// Writes and reads one value of a compact type <typeparamref name="T"/> (see <see cref="CompactWire"/>)
/// without boxing: the type tests fold away when the JIT specializes the methods.
/// </summary>
internal static class CompactValue<T>
{
    /// <summary>The kind of <typeparamref name="T"/>; <see cref="CompactKind.None"/> when it has no compact form.</summary>
    internal static readonly CompactKind Kind = CompactWire.KindOf(typeof(T));

    internal static void Write(IBufferWriter<byte> output, T value)
    {
        if (typeof(T) == typeof(int))
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), (int)(object)value!);
            output.Advance(4);
        }
        else if (typeof(T) == typeof(long))
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), (long)(object)value!);
            output.Advance(8);
        }
        else if (typeof(T) == typeof(double))
        {
            BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), (double)(object)value!);
            output.Advance(8);
        }
        else if (typeof(T) == typeof(bool))
        {
            output.GetSpan(1)[0] = (bool)(object)value! ? (byte)1 : (byte)0;
            output.Advance(1);
        }
        else if (typeof(T) == typeof(string))
        {
            CompactWire.WriteText(output, (string?)(object?)value);
        }
        else
        {
            throw new NotSupportedException($"{typeof(T).Name} has no compact form.");
        }
    }

    /// <summary>Reads one value and moves <paramref name="input"/> past it.</summary>
    /// <exception cref="InvalidDataException">The bytes end inside the value.</exception>
    internal static T Read(ref ReadOnlySpan<byte> input)
    {
        if (typeof(T) == typeof(int))
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(Take(ref input, 4));
            return (T)(object)value;
        }

        if (typeof(T) == typeof(long))
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(Take(ref input, 8));
            return (T)(object)value;
        }

        if (typeof(T) == typeof(double))
        {
            var value = BinaryPrimitives.ReadDoubleLittleEndian(Take(ref input, 8));
            return (T)(object)value;
        }

        if (typeof(T) == typeof(bool))
        {
            var value = Take(ref input, 1)[0] != 0;
            return (T)(object)value;
        }

        if (typeof(T) == typeof(string))
            return (T)(object?)CompactWire.ReadText(ref input)!;
        throw new NotSupportedException($"{typeof(T).Name} has no compact form.");
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> input, int length)
    {
        if (input.Length < length)
            throw CompactWire.Truncated();
        var taken = input[..length];
        input = input[length..];
        return taken;
    }
}
