using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Fanout;

/// <summary>
/// The JSON of the values most targets take and return — null, booleans, 32- and 64-bit integers,
/// finite doubles, plain strings, shared objects (their names) — read and written without
/// System.Text.Json. A fresh worker spends tens of milliseconds compiling the serializer before it
/// touches its first value; with these it reaches its target without loading it at all. Anything
/// else (escaped strings, NaN, records…) says "not mine" and goes to the serializer, which writes
/// exactly the same text for these values.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "A shared object type in a target's signature is one the application creates, so its type is kept whole.")]
internal static class JsonPrimitives
{
    private static readonly byte[] Null = "null"u8.ToArray();
    private static readonly byte[] True = "true"u8.ToArray();
    private static readonly byte[] False = "false"u8.ToArray();

    /// <summary>Whether values of <paramref name="type"/> are always read and written here.</summary>
    internal static bool Handles(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(bool) || underlying == typeof(int) || underlying == typeof(long) || underlying == typeof(double)
            || type == typeof(string) || IsAttachable(type);
    }

    /// <summary>Reads <paramref name="json"/> as a <paramref name="type"/>; false when the serializer must.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> json, Type type, out object? value)
    {
        value = null;
        if (json.SequenceEqual(Null))
            return !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool))
        {
            if (json.SequenceEqual(True))
                value = true;
            else if (json.SequenceEqual(False))
                value = false;
            return value is not null;
        }

        if (underlying == typeof(int))
            return TryParse(json, out int i) && Box(i, out value);
        if (underlying == typeof(long))
            return TryParse(json, out long l) && Box(l, out value);
        if (underlying == typeof(double))
            return IsJsonNumber(json) && Utf8Parser.TryParse(json, out double d, out var used) && used == json.Length && Box(d, out value);
        if (type == typeof(string))
            return TryReadPlainString(json, out value);
        if (IsAttachable(type) && TryReadPlainString(json, out var name))
        {
            value = ((ISharedByName)RuntimeHelpers.GetUninitializedObject(type)).AttachAnother((string)name!);
            return true;
        }

        return false;
    }

    /// <summary>The JSON of <paramref name="value"/> as a <paramref name="type"/>, or null when the serializer must write it.</summary>
    internal static byte[]? TryWrite(object? value, Type type)
    {
        if (value is null)
            return !type.IsValueType || Nullable.GetUnderlyingType(type) is not null ? Null : null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        Span<byte> buffer = stackalloc byte[32];
        int written;
        switch (value)
        {
            case bool flag when underlying == typeof(bool):
                return flag ? True : False;
            case int i when underlying == typeof(int):
                return Utf8Formatter.TryFormat(i, buffer, out written) ? buffer[..written].ToArray() : null;
            case long l when underlying == typeof(long):
                return Utf8Formatter.TryFormat(l, buffer, out written) ? buffer[..written].ToArray() : null;
            case double d when underlying == typeof(double) && double.IsFinite(d):
                // The shortest text that reads back as the same double.
                return Utf8Formatter.TryFormat(d, buffer, out written) ? buffer[..written].ToArray() : null;
            case string text when type == typeof(string):
                return TryWritePlainString(text);
            case ISharedByName shared when IsAttachable(type):
                return TryWritePlainString(shared.Name);
            default:
                return null;
        }
    }

    private static bool Box<T>(T number, out object? value)
        where T : struct
    {
        value = number;
        return true;
    }

    private static bool TryParse(ReadOnlySpan<byte> json, out int value)
    {
        value = 0;
        return IsJsonInteger(json) && Utf8Parser.TryParse(json, out value, out var used) && used == json.Length;
    }

    private static bool TryParse(ReadOnlySpan<byte> json, out long value)
    {
        value = 0;
        return IsJsonInteger(json) && Utf8Parser.TryParse(json, out value, out var used) && used == json.Length;
    }

    /// <summary>An optional minus and digits with no leading zero: what the serializer accepts as an integer.</summary>
    private static bool IsJsonInteger(ReadOnlySpan<byte> json)
    {
        var digits = json.Length > 0 && json[0] == '-' ? json[1..] : json;
        return digits.Length > 0 && (digits[0] != '0' || digits.Length == 1) && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>JSON's number grammar, which is stricter than the parser's (no leading '+', '.5' or '1.').</summary>
    private static bool IsJsonNumber(ReadOnlySpan<byte> json)
    {
        var i = 0;
        if (i < json.Length && json[i] == '-')
            i++;
        var start = i;
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
            i++;
        if (i == start || (json[start] == '0' && i - start > 1))
            return false;
        if (i < json.Length && json[i] == '.')
        {
            start = ++i;
            while (i < json.Length && char.IsAsciiDigit((char)json[i]))
                i++;
            if (i == start)
                return false;
        }

        if (i < json.Length && (json[i] | 0x20) == 'e')
        {
            i++;
            if (i < json.Length && (json[i] == '+' || json[i] == '-'))
                i++;
            start = i;
            while (i < json.Length && char.IsAsciiDigit((char)json[i]))
                i++;
            if (i == start)
                return false;
        }

        return i == json.Length;
    }

    /// <summary>A quoted string with no escapes and no control characters: its bytes are its UTF-8.</summary>
    private static bool TryReadPlainString(ReadOnlySpan<byte> json, out object? value)
    {
        value = null;
        if (json.Length < 2 || json[0] != '"' || json[^1] != '"')
            return false;
        var inner = json[1..^1];
        if (inner.IndexOfAny((byte)'"', (byte)'\\') >= 0 || inner.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || !System.Text.Unicode.Utf8.IsValid(inner))
            return false;
        value = Encoding.UTF8.GetString(inner);
        return true;
    }

    /// <summary>
    /// Plain ASCII letters, digits and the punctuation the serializer leaves unescaped; anything
    /// else (non-ASCII, quotes, HTML-sensitive characters) goes to the serializer, so the text on
    /// the wire is the same either way.
    /// </summary>
    private static byte[]? TryWritePlainString(string text)
    {
        var bytes = new byte[text.Length + 2];
        bytes[0] = bytes[^1] = (byte)'"';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x20 || c > 0x7E || c is '"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`')
                return null;
            bytes[i + 1] = (byte)c;
        }

        return bytes;
    }

    /// <summary>A concrete shared object type, which a worker rebuilds by attaching to the name (see <see cref="ISharedByName.AttachAnother"/>).</summary>
    private static bool IsAttachable(Type type) =>
        type.IsAssignableTo(typeof(ISharedByName)) && type is { IsAbstract: false, IsInterface: false, ContainsGenericParameters: false };
}
