using System.Buffers;

namespace Fanout;

/// <summary>Quotes words so that a POSIX shell reads each back as exactly one argument.</summary>
public static class ShellQuoting
{
    private static readonly SearchValues<char> Safe =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_");

    /// <summary>The word unchanged when it is safe, otherwise in single quotes with embedded quotes escaped.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && !word.AsSpan().ContainsAnyExcept(Safe)
            ? word
            : "'" + word.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

    /// <summary>Every word quoted and joined with spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
