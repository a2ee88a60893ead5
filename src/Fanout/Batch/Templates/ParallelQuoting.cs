using System.Buffers;

namespace Fanout.Batch;

/// <summary>
/// Quotes a value for /bin/sh exactly as GNU parallel's <c>shell_quote_scalar_default</c> does, so a
/// rendered command line is byte for byte the one GNU parallel runs.
/// </summary>
/// <remarks>
/// GNU parallel leaves a value bare when it holds only <c>-_.+/</c>, ASCII letters and digits;
/// otherwise it puts it in single quotes, writes each embedded <c>'</c> as <c>'"'"'</c>, then drops
/// the empty <c>''</c> this leaves at either end. The empty value becomes <c>''</c>. Inside single
/// quotes the shell expands nothing (<c>$</c>, backticks, globs, newlines are all literal), so the
/// value reaches the program as one argument. This set is narrower than
/// <see cref="ShellQuoting"/>'s (it quotes <c>a=b</c> and <c>x@y</c>), which is why it is separate.
/// </remarks>
internal static class ParallelQuoting
{
    private static readonly SearchValues<char> Bare =
        SearchValues.Create("-_.+/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    /// <summary>The value as GNU parallel inserts it into a shell command line.</summary>
    internal static string Quote(string value)
    {
        if (value.Length == 0)
            return "''";
        if (!value.AsSpan().ContainsAnyExcept(Bare))
            return value;
        var quoted = "'" + value.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";
        // s/^''//; s/''$//
        if (quoted.StartsWith("''", StringComparison.Ordinal))
            quoted = quoted[2..];
        if (quoted.EndsWith("''", StringComparison.Ordinal))
            quoted = quoted[..^2];
        return quoted;
    }
}
