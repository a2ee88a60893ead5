using System.Buffers;

namespace Fanout.Batch;

/// <summary>
/// How <see cref="TemplateInput"/> finds its input sources among the words and cuts input files
/// into values: GNU parallel's <c>--arg-sep</c>, <c>--arg-file-sep</c>, <c>-d</c> (and <c>-0</c>),
/// <c>-E</c> and <c>-r</c>.
/// </summary>
/// <example>
/// <code>
/// // find -print0 | fanout run -0 -r …: NUL-ended names, blank ones skipped.
/// var options = new TemplateInputOptions { Delimiter = "\0", SkipBlankValues = true };
/// var input = TemplateInput.Parse(["gzip", "{}"], options: options).OrStandardInput();
/// </code>
/// </example>
public sealed record TemplateInputOptions
{
    // Perl's \s on GNU parallel's byte strings: ASCII white space only.
    private static readonly SearchValues<char> WhiteSpace = SearchValues.Create(" \t\n\v\f\r");

    private readonly string _delimiter = "\n";
    private readonly string _valuesMarker = ":::";
    private readonly string _filesMarker = "::::";

    /// <summary>GNU parallel's defaults: <c>:::</c> and <c>::::</c>, values ended by newlines, none skipped.</summary>
    public static TemplateInputOptions Default { get; } = new();

    /// <summary>
    /// What ends each value in an input file or standard input (GNU parallel's <c>-d</c>): a newline
    /// by default, NUL for <c>-0</c>, or any text. The delimiter is not part of the value; a last
    /// value without one still counts. Values written after <c>:::</c> are not cut.
    /// </summary>
    /// <exception cref="ArgumentException">Empty.</exception>
    public string Delimiter
    {
        get => _delimiter;
        init => _delimiter = NotEmpty(value, "A delimiter");
    }

    /// <summary>
    /// A value that ends its source (GNU parallel's <c>-E</c>): it and everything after it in the
    /// same file, or after the same <c>:::</c>, are ignored. Null for none.
    /// </summary>
    public string? EndOfInput { get; init; }

    /// <summary>Skip values made only of white space, empty ones included (GNU parallel's <c>-r</c>).</summary>
    public bool SkipBlankValues { get; init; }

    /// <summary>The word that starts a source of values written on the command line (GNU parallel's <c>--arg-sep</c>); <c>:::</c> by default, and this with <c>+</c> links it.</summary>
    /// <exception cref="ArgumentException">Empty.</exception>
    public string ValuesMarker
    {
        get => _valuesMarker;
        init => _valuesMarker = NotEmpty(value, "The values marker");
    }

    /// <summary>The word that starts a source of input files (GNU parallel's <c>--arg-file-sep</c>); <c>::::</c> by default, and this with <c>+</c> links it.</summary>
    /// <exception cref="ArgumentException">Empty.</exception>
    public string FilesMarker
    {
        get => _filesMarker;
        init => _filesMarker = NotEmpty(value, "The files marker");
    }

    /// <summary>True for the words that start an input source: either marker, alone or with <c>+</c>.</summary>
    /// <param name="word">A word of the command line.</param>
    /// <returns>Whether the word is an input source marker.</returns>
    public bool IsMarker(string word) => MarkerKind(word) is not null;

    /// <summary>Whether <paramref name="word"/> starts values, files, or no source; and whether it links.</summary>
    internal (bool Files, bool Linked)? MarkerKind(string word)
    {
        if (word == _valuesMarker)
            return (false, false);
        if (word == _filesMarker)
            return (true, false);
        if (word.Length > 1 && word[^1] == '+')
        {
            var bare = word[..^1];
            if (bare == _valuesMarker)
                return (false, true);
            if (bare == _filesMarker)
                return (true, true);
        }

        return null;
    }

    /// <summary>Refuses markers that one word could match both of.</summary>
    /// <exception cref="TemplateException">They cannot be told apart.</exception>
    internal void ThrowIfMarkersAmbiguous()
    {
        if (_valuesMarker == _filesMarker || _valuesMarker == _filesMarker + "+" || _filesMarker == _valuesMarker + "+")
            throw new TemplateException(_filesMarker, $"The values marker '{_valuesMarker}' and the files marker '{_filesMarker}' cannot be told apart; choose two that differ by more than a '+'.");
    }

    /// <summary>The values a source gives, after <see cref="EndOfInput"/> and <see cref="SkipBlankValues"/>.</summary>
    internal IEnumerable<string> Filter(IEnumerable<string> values)
    {
        if (EndOfInput is null && !SkipBlankValues)
            return values;
        return Filtered(values);
    }

    private IEnumerable<string> Filtered(IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            if (value == EndOfInput)
                yield break;
            if (SkipBlankValues && IsBlank(value))
                continue;
            yield return value;
        }
    }

    private static bool IsBlank(string value) => value.AsSpan().IndexOfAnyExcept(WhiteSpace) < 0;

    private static string NotEmpty(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > 0 ? value : throw new ArgumentException($"{what} cannot be empty.", nameof(value));
    }
}
