namespace Fanout.Batch;

/// <summary>
/// One input source: the values of one <c>:::</c> group, or the lines of one <c>::::</c> file.
/// Each job takes one value from every source.
/// </summary>
internal abstract class InputSource
{
    /// <summary>The source's values, read as enumerated. Enumerated once per pass of the source.</summary>
    internal abstract IEnumerable<string> Values();
}

/// <summary>The values written after <c>:::</c> or <c>:::+</c>.</summary>
internal sealed class LiteralSource(string[] values) : InputSource
{
    internal override IEnumerable<string> Values() => values;
}

/// <summary>
/// The lines of a file named after <c>::::</c> or <c>::::+</c>, read lazily. The file is opened
/// again for each pass, so an inner source of a cross product costs no memory; standard input
/// (<c>-</c>) cannot be read twice, so when it must be (<paramref name="replayed"/>) the lines read
/// so far are kept.
/// </summary>
internal sealed class FileSource(string name, string marker, Func<string, TextReader> open, bool replayed, TemplateInputOptions options) : InputSource
{
    private readonly List<string> _kept = [];
    private IEnumerator<string>? _keeping;
    private bool _keptAll;

    /// <summary>Opens the file, turning the opener's failure into a <see cref="TemplateException"/> naming it.</summary>
    internal static TextReader Open(string name, string marker, Func<string, TextReader> open)
    {
        try
        {
            return open(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw CannotRead(name, marker, e);
        }
    }

    internal override IEnumerable<string> Values() => replayed ? Replay() : Read();

    private IEnumerable<string> Read()
    {
        using var reader = Open(name, marker, open);
        using var lines = options.Filter(LineReader.Records(reader, options.Delimiter)).GetEnumerator();
        while (true)
        {
            string line;
            try
            {
                if (!lines.MoveNext())
                    yield break;
                line = lines.Current;
            }
            catch (IOException e)
            {
                throw CannotRead(name, marker, e);
            }

            yield return line;
        }
    }

    /// <summary>Yields the kept lines, then reads on, keeping each, from one reader shared by all passes.</summary>
    private IEnumerable<string> Replay()
    {
        for (var i = 0; ; i++)
        {
            if (i < _kept.Count)
            {
                yield return _kept[i];
                continue;
            }

            if (_keptAll)
                yield break;
            _keeping ??= Read().GetEnumerator();
            if (!_keeping.MoveNext())
            {
                _keptAll = true;
                _keeping.Dispose();
                yield break;
            }

            _kept.Add(_keeping.Current);
            yield return _keeping.Current;
        }
    }

    private static TemplateException CannotRead(string name, string marker, Exception e)
    {
        var reason = e switch
        {
            FileNotFoundException or DirectoryNotFoundException => "no such file",
            UnauthorizedAccessException when Directory.Exists(name) => "it is a directory",
            UnauthorizedAccessException => "permission denied",
            ArgumentException => "not a valid file name",
            _ => e.Message,
        };
        return new TemplateException(name, $"Cannot read the input file '{name}' (after '{marker}'): {reason}.", e);
    }
}

/// <summary>
/// A source whose first value is a header (GNU parallel's <c>--header :</c>): it names the
/// source's column or columns and is not a job's value. Every pass skips it; the first keeps it.
/// </summary>
internal sealed class HeaderedSource(InputSource inner) : InputSource
{
    /// <summary>The first value, once a pass has read it; null before, or when the source is empty.</summary>
    internal string? Header { get; private set; }

    internal override IEnumerable<string> Values()
    {
        var first = true;
        foreach (var value in inner.Values())
        {
            if (first)
            {
                Header ??= value;
                first = false;
                continue;
            }

            yield return value;
        }
    }
}
