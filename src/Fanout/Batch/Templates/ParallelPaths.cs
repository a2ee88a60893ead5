namespace Fanout.Batch;

/// <summary>
/// The path edits behind <c>{.}</c>, <c>{/}</c>, <c>{//}</c> and <c>{/.}</c>, reproducing GNU
/// parallel's Perl code character for character, quirks included (see each method).
/// </summary>
internal static class ParallelPaths
{
    /// <summary>
    /// <c>{.}</c>, Perl <c>s:\.[^/.]*$::</c>: cuts the last <c>.</c> and what follows when no
    /// <c>/</c> follows it. So <c>a/b.c/d.tar.gz</c> gives <c>a/b.c/d.tar</c>, <c>a.b/c</c> is
    /// unchanged, and <c>.bashrc</c> gives the empty string.
    /// </summary>
    internal static string RemoveExtension(string value)
    {
        var dot = value.LastIndexOf('.');
        return dot < 0 || value.AsSpan(dot).Contains('/') ? value : value[..dot];
    }

    /// <summary>
    /// <c>{/}</c>, Perl <c>s:.*/::</c>: removes everything up to the last <c>/</c>, so <c>a/</c>
    /// gives the empty string. Perl's <c>.</c> does not match a newline, so in a value with
    /// newlines only the first line holding a <c>/</c> is cut, from its start to its last <c>/</c>.
    /// </summary>
    internal static string Basename(string value)
    {
        var lineStart = 0;
        while (lineStart <= value.Length)
        {
            var lineEnd = value.IndexOf('\n', lineStart);
            if (lineEnd < 0)
                lineEnd = value.Length;
            var slash = value.AsSpan(lineStart, lineEnd - lineStart).LastIndexOf('/');
            if (slash >= 0)
                return string.Concat(value.AsSpan(0, lineStart), value.AsSpan(lineStart + slash + 1));
            lineStart = lineEnd + 1;
        }

        return value;
    }

    /// <summary>
    /// <c>{//}</c>, Perl's <c>File::Basename::dirname</c>: <c>a/b</c> gives <c>a</c>, <c>a</c> and
    /// the empty string give <c>.</c>, <c>/a</c> and <c>/</c> give <c>/</c>, and a trailing slash
    /// is ignored, so <c>a/b/</c> gives <c>a</c> and <c>a/</c> gives <c>.</c>.
    /// </summary>
    internal static string Dirname(string value)
    {
        var (directory, name) = FileParse(value);
        directory = StripTrailingSlashes(directory);
        if (name.Length == 0)
        {
            (directory, _) = FileParse(directory);
            directory = StripTrailingSlashes(directory);
        }

        return directory;
    }

    /// <summary><c>{/.}</c>: <see cref="Basename"/>, then <see cref="RemoveExtension"/>.</summary>
    internal static string BasenameWithoutExtension(string value) => RemoveExtension(Basename(value));

    /// <summary>Perl <c>fileparse</c> on Unix: <c>m{^(.*/)?(.*)}s</c>, the directory defaulting to <c>./</c>.</summary>
    private static (string Directory, string Name) FileParse(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? ("./", path) : (path[..(slash + 1)], path[(slash + 1)..]);
    }

    /// <summary>Perl <c>s{(.)/*\z}{$1}s</c>: drops trailing slashes but keeps the first character.</summary>
    private static string StripTrailingSlashes(string path)
    {
        var end = path.Length;
        while (end > 1 && path[end - 1] == '/')
            end--;
        return path[..end];
    }
}
