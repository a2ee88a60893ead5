using System.Text.RegularExpressions;

namespace Fanout.Batch;

/// <summary>
/// GNU parallel's <c>--colsep</c> and <c>--trim</c>: splits each input value into columns at a
/// regular expression and trims white space from the values, so a sample sheet's line
/// <c>s01&lt;TAB&gt;reads_1.fq&lt;TAB&gt;reads_2.fq</c> fills <c>{1}</c>, <c>{2}</c> and <c>{3}</c>.
/// </summary>
/// <remarks>
/// <para>As in GNU parallel: the columns of every input source are numbered on from the previous
/// source's (<c>::: a,b ::: 1,2</c> gives <c>{1}</c>=a, <c>{2}</c>=b, <c>{3}</c>=1, <c>{4}</c>=2);
/// empty columns are kept, trailing ones too; groups captured by the separator become columns of
/// their own; a column past a line's end is empty (see
/// <see cref="CommandTemplate.WithMissingPositionsEmpty"/>); and splitting trims both ends of
/// each column unless <c>--trim</c> says otherwise.</para>
/// <para>The separator is a .NET regular expression, which agrees with Perl's for the separators
/// people use (<c>\t</c>, <c>,</c>, <c>\s+</c>, <c>;</c>, <c>\|</c>).</para>
/// </remarks>
/// <example>
/// <code>
/// var columns = InputColumns.Create("\\t", trim: null);
/// columns.Apply(["s01\treads_1.fq\t reads_2.fq "]);   // ["s01", "reads_1.fq", "reads_2.fq"]
/// </code>
/// </example>
public sealed class InputColumns
{
    // Perl's \s in GNU parallel, which reads bytes: ASCII white space.
    private static readonly char[] WhiteSpace = [' ', '\t', '\n', '\r', '\f', '\v'];

    private readonly Regex? _separator;
    private readonly bool _trimStart;
    private readonly bool _trimEnd;

    private InputColumns(Regex? separator, bool trimStart, bool trimEnd)
    {
        _separator = separator;
        _trimStart = trimStart;
        _trimEnd = trimEnd;
    }

    /// <summary>True when values are split into columns (a separator was given).</summary>
    public bool SplitsColumns => _separator is not null;

    /// <summary>Reads <c>--colsep</c> and <c>--trim</c>.</summary>
    /// <param name="separator">The column separator, a regular expression; null to keep each value whole.</param>
    /// <param name="trim">Which ends of each value lose their white space: <c>n</c> (neither), <c>l</c>, <c>r</c>,
    /// <c>lr</c> or <c>rl</c> (both); null for the default, both with a separator and neither without.</param>
    /// <returns>The splitter.</returns>
    /// <exception cref="TemplateException">The separator is not a valid regular expression, matches the empty string, or the trim is none of the five; the message names the option.</exception>
    public static InputColumns Create(string? separator, string? trim)
    {
        Regex? regex = null;
        if (separator is not null)
        {
            try
            {
                regex = new Regex(separator, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw new TemplateException(separator, $"--colsep '{separator}' is not a valid regular expression: {e.Message}", e);
            }

            if (regex.IsMatch(""))
                throw new TemplateException(separator, $"--colsep '{separator}' matches the empty string, so it would split every value between all its characters; give a separator such as '\\t', ',' or '\\s+'.");
        }

        var (start, end) = (trim ?? (separator is null ? "n" : "lr")) switch
        {
            "n" => (false, false),
            "l" => (true, false),
            "r" => (false, true),
            "lr" or "rl" => (true, true),
            _ => throw new TemplateException(trim!, $"--trim '{trim}' is not understood: use n (nothing), l (the start), r (the end), or lr (both ends)."),
        };
        return new InputColumns(regex, start, end);
    }

    /// <summary>A job's values (one per input source) as its columns, trimmed.</summary>
    /// <param name="values">The values, one per input source.</param>
    /// <returns>The columns of every value, in order; the values themselves, trimmed, when nothing is split.</returns>
    public IReadOnlyList<string> Apply(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_separator is null && !_trimStart && !_trimEnd)
            return values;
        var columns = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (_separator is null)
            {
                columns.Add(Trim(value));
                continue;
            }

            foreach (var column in _separator.Split(value))
                columns.Add(Trim(column));
        }

        return columns;
    }

    private string Trim(string value) =>
        _trimStart && _trimEnd ? value.Trim(WhiteSpace)
        : _trimStart ? value.TrimStart(WhiteSpace)
        : _trimEnd ? value.TrimEnd(WhiteSpace)
        : value;
}
