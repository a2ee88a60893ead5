using System.Text.RegularExpressions;

namespace Fanout.Batch;

/// <summary>
/// The path edits of GNU parallel's <c>--plus</c> replacement strings, as the same Perl
/// substitutions: .NET's regular expressions agree with Perl's on these patterns (<c>.</c> stops at
/// a newline, <c>$</c> also matches before a final one), so values with newlines come out alike.
/// </summary>
internal static partial class ParallelPlusPaths
{
    /// <summary><c>{+/}</c>: <c>s:/[^/]*$:: || s:.*$::</c>, the directory part (<c>a/b/c.d</c> gives <c>a/b</c>; no <c>/</c>, nothing).</summary>
    internal static string Directory(string value) => FirstOrElse(LastSlashAndAfter(), value);

    /// <summary><c>{+.}</c>: <c>s:.*\.:: || s:.*$::</c>, what follows the last <c>.</c> (<c>a.b.c</c> gives <c>c</c>; no <c>.</c>, nothing).</summary>
    internal static string Extension(string value) => FirstOrElse(UpToLastDot(), value);

    /// <summary><c>{+..}</c>: the last two extensions (<c>x.tar.gz</c> gives <c>tar.gz</c>), or nothing.</summary>
    internal static string TwoExtensions(string value) => KeepOrElse(LastTwoExtensions(), value);

    /// <summary><c>{+...}</c>: the last three extensions, or nothing.</summary>
    internal static string ThreeExtensions(string value) => KeepOrElse(LastThreeExtensions(), value);

    /// <summary><c>{..}</c>: <c>s:\.[^/.]*\.[^/.]*$::</c>, without the last two extensions (<c>x.tar.gz</c> gives <c>x</c>).</summary>
    internal static string WithoutTwoExtensions(string value) => TwoExtensionsAtEnd().Replace(value, "", 1);

    /// <summary><c>{...}</c>: without the last three extensions.</summary>
    internal static string WithoutThreeExtensions(string value) => ThreeExtensionsAtEnd().Replace(value, "", 1);

    /// <summary><c>{/..}</c>: the base name (<c>{/}</c>) without its last two extensions.</summary>
    internal static string BasenameWithoutTwoExtensions(string value) => WithoutTwoExtensions(ParallelPaths.Basename(value));

    /// <summary><c>{/...}</c>: the base name without its last three extensions.</summary>
    internal static string BasenameWithoutThreeExtensions(string value) => WithoutThreeExtensions(ParallelPaths.Basename(value));

    /// <summary><c>s:PATTERN:: || s:.*$::</c>.</summary>
    private static string FirstOrElse(Regex pattern, string value) =>
        pattern.IsMatch(value) ? pattern.Replace(value, "", 1) : RestOfLine().Replace(value, "", 1);

    /// <summary><c>s:.*\.(PATTERN)$:$1: || s:.*$::</c>.</summary>
    private static string KeepOrElse(Regex pattern, string value) =>
        pattern.IsMatch(value) ? pattern.Replace(value, "$1", 1) : RestOfLine().Replace(value, "", 1);

    [GeneratedRegex(@"/[^/]*$")]
    private static partial Regex LastSlashAndAfter();

    [GeneratedRegex(@".*\.")]
    private static partial Regex UpToLastDot();

    [GeneratedRegex(@".*\.([^/.]*\.[^/.]*)$")]
    private static partial Regex LastTwoExtensions();

    [GeneratedRegex(@".*\.([^/.]*\.[^/.]*\.[^/.]*)$")]
    private static partial Regex LastThreeExtensions();

    [GeneratedRegex(@"\.[^/.]*\.[^/.]*$")]
    private static partial Regex TwoExtensionsAtEnd();

    [GeneratedRegex(@"\.[^/.]*\.[^/.]*\.[^/.]*$")]
    private static partial Regex ThreeExtensionsAtEnd();

    [GeneratedRegex(@".*$")]
    private static partial Regex RestOfLine();
}
