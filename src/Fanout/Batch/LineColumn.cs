using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fanout.Batch;

/// <summary>
/// One column of each line of a stream, found by its number or, with a header line, by its name:
/// the value <see cref="InputBlocks.GroupBy"/> groups lines by (GNU parallel's <c>--group-by</c>)
/// and <see cref="ShardedInput"/> routes them by (<c>--shard</c>, <c>--bin</c>). Columns are
/// split by a regular expression, a tab unless told otherwise. A line with fewer columns has an
/// empty value.
/// </summary>
public sealed class LineColumn
{
    private readonly Regex? _separator;

    private LineColumn(int number, string? name, string? separator)
    {
        Number = number;
        Name = name;
        Separator = separator ?? "\t";
        _separator = separator is null or "\t" ? null : new Regex(separator, RegexOptions.CultureInvariant);
    }

    /// <summary>The column's number, from 1; 0 when it is found by <see cref="Name"/>.</summary>
    public int Number { get; }

    /// <summary>The column's name in the header line, or null when it is found by <see cref="Number"/>.</summary>
    public string? Name { get; }

    /// <summary>The regular expression that separates columns.</summary>
    public string Separator { get; }

    /// <summary>The column numbered <paramref name="number"/> (from 1).</summary>
    /// <param name="number">The column, from 1.</param>
    /// <param name="separator">A .NET regular expression between columns; null for a tab.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="separator"/> is not a regular expression.</exception>
    public static LineColumn At(int number, string? separator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        return new LineColumn(number, null, separator);
    }

    /// <summary>The column named <paramref name="name"/> in the header line, the first of the stream (for <see cref="InputBlocks"/>, <see cref="InputBlocks.RepeatHeader"/> has to take it).</summary>
    /// <param name="name">The column's name in the first line.</param>
    /// <param name="separator">A .NET regular expression between columns; null for a tab.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or <paramref name="separator"/> is not a regular expression.</exception>
    public static LineColumn Named(string name, string? separator = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new LineColumn(0, name, separator);
    }

    /// <summary>The 0-based index of the column, the header line given for a named column.</summary>
    /// <exception cref="FanoutException">A named column without a header line, or not in it.</exception>
    internal int IndexIn(string? header)
    {
        if (Name is null)
            return Number - 1;
        if (header is null)
            throw new FanoutException($"The column named '{Name}' needs a header line to be found in.");
        var names = Split(header.TrimEnd('\n').TrimEnd('\r'));
        var index = Array.IndexOf(names, Name);
        return index >= 0 ? index
            : throw new FanoutException($"The header line has no column named '{Name}' (its columns: {string.Join(", ", names.Select(n => $"'{n}'"))}).");
    }

    /// <summary>The value of column <paramref name="index"/> of a line of UTF-8 bytes, its newline (if any) ignored.</summary>
    internal string ValueOf(ReadOnlySpan<byte> line, int index) =>
        ValueOf(Encoding.UTF8.GetString(line.Length > 0 && line[^1] == '\n' ? line[..^1] : line), index);

    /// <summary>The value of column <paramref name="index"/> of <paramref name="line"/> (without its newline); empty when it has fewer columns.</summary>
    internal string ValueOf(string line, int index)
    {
        if (_separator is null)
        {
            var start = 0;
            for (var i = 0; i < index; i++)
            {
                var tab = line.IndexOf('\t', start);
                if (tab < 0)
                    return "";
                start = tab + 1;
            }

            var end = line.IndexOf('\t', start);
            return end < 0 ? line[start..] : line[start..end];
        }

        var columns = Split(line);
        return index < columns.Length ? columns[index] : "";
    }

    private string[] Split(string line) => _separator?.Split(line) ?? line.Split('\t');

    /// <inheritdoc />
    public override string ToString() => Name ?? Number.ToString(CultureInfo.InvariantCulture);
}
