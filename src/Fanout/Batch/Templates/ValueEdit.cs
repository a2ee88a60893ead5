using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fanout.Batch;

/// <summary>
/// One of GNU parallel's bash-inspired <c>--plus</c> replacement strings that edit the value with an
/// argument: <c>{:-x}</c> (a default), <c>{:n}</c> and <c>{:n:m}</c> (substrings), <c>{#re}</c>,
/// <c>{##re}</c>, <c>{%re}</c>, <c>{%%re}</c> (remove a prefix or suffix), <c>{/re/s}</c>,
/// <c>{//re/s}</c>, <c>{/#re/s}</c>, <c>{/%re/s}</c> (replace), <c>{^re}</c>, <c>{^^re}</c>,
/// <c>{,re}</c>, <c>{,,re}</c> (upper or lower case), each also with a source number (<c>{2%.gz}</c>).
/// <para>
/// The patterns are regular expressions, as in GNU parallel (so <c>{%.gz}</c> also removes
/// <c>xgz</c>), run with the Perl substitution GNU parallel builds from each string, and the
/// strings are recognised with its own patterns tried in its own order (longest definition first).
/// Two things differ on purpose: values are edited as characters where GNU parallel's Perl edits
/// UTF-8 bytes (so <c>{:1}</c> never cuts a character in two), and a pattern .NET cannot read the
/// way Perl does (POSIX classes such as <c>[[:alpha:]]</c>, <c>{,n}</c>) is refused, not guessed.
/// </para>
/// </summary>
internal sealed partial class ValueEdit
{
    private enum Operation
    {
        Default,
        From,
        Substring,
        RemoveShortestPrefix,
        RemoveLongestPrefix,
        RemoveShortestSuffix,
        RemoveLongestSuffix,
        ReplaceFirst,
        ReplaceAtStart,
        ReplaceAtEnd,
        ReplaceAll,
        UpperFirst,
        UpperAll,
        LowerFirst,
        LowerAll,
    }

    // GNU parallel's definitions as (text before the argument, argument pattern, operation), in the
    // order it tries them: the longest definition first, so {/#a/b} is not read as {/re/s}.
    private static readonly (string Prefix, string Arguments, Operation Operation)[] Definitions =
    [
        ("/", "([^#%}/]+?)/([^}]*?)", Operation.ReplaceFirst),
        ("/#", "([^}]+?)/([^}]*?)", Operation.ReplaceAtStart),
        ("/%", "([^}]+?)/([^}]*?)", Operation.ReplaceAtEnd),
        ("//", "([^}]+?)/([^}]*?)", Operation.ReplaceAll),
        ("##", "([^#}][^}]*?)", Operation.RemoveLongestPrefix),
        (":", @"([0-9]+?):([0-9]+?)", Operation.Substring),
        ("#", "([^#}][^}]*?)", Operation.RemoveShortestPrefix),
        (":-", "([^}]+?)", Operation.Default),
        ("%%", "([^}]+?)", Operation.RemoveLongestSuffix),
        ("^^", "([^}]+?)", Operation.UpperAll),
        (",,", "([^}]+?)", Operation.LowerAll),
        ("%", "([^}]+?)", Operation.RemoveShortestSuffix),
        ("^", "([^}]+?)", Operation.UpperFirst),
        (",", "([^}]+?)", Operation.LowerFirst),
        (":", "([0-9]+?)", Operation.From),
    ];

    // Each definition as it is matched at a '{': alone, or after a source number and blanks ({2%.gz}, {-1 :3}).
    private static readonly (Regex Plain, Regex Positional, Operation Operation)[] Matchers =
        [.. Definitions.Select(d => (
            new Regex(@"\G\{" + Regex.Escape(d.Prefix) + d.Arguments + @"\}", RegexOptions.CultureInvariant),
            new Regex(@"\G\{(-?[0-9]+)[ \t\n\r\f\v]*" + Regex.Escape(d.Prefix) + d.Arguments + @"\}", RegexOptions.CultureInvariant),
            d.Operation))];

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(5);

    private readonly Operation _operation;
    private readonly string _argument;
    private readonly string _replacement;
    private readonly Regex? _pattern;
    private readonly long _start;
    private readonly long _length;
    private readonly string _word;
    private readonly string _text;

    private ValueEdit(Operation operation, string argument, string replacement, string word, string text)
    {
        _operation = operation;
        _argument = argument;
        _replacement = replacement;
        _word = word;
        _text = text;
        Signature = $"{operation}\0{argument}\0{replacement}";
        switch (operation)
        {
            case Operation.Default:
                break;
            case Operation.From:
                _start = Number(argument);
                break;
            case Operation.Substring:
                _start = Number(argument);
                _length = Number(replacement);
                break;
            default:
                _pattern = Compile(PerlPattern(operation, argument), word, text);
                break;
        }
    }

    /// <summary>What the edit does, for telling two replacement strings apart: equal for <c>{%.gz}</c> and <c>{2 %.gz}</c>'s edits.</summary>
    internal string Signature { get; }

    /// <summary>
    /// Matches a <c>--plus</c> edit at <paramref name="start"/> of <paramref name="word"/> (which holds a <c>{</c>).
    /// </summary>
    /// <param name="word">The template word.</param>
    /// <param name="start">Where the <c>{</c> is.</param>
    /// <param name="edit">The edit found.</param>
    /// <param name="text">The replacement string as written.</param>
    /// <param name="position">Its source number as written (<c>"2"</c>, <c>"-1"</c>), or null for every value.</param>
    /// <returns>True when one was found.</returns>
    /// <exception cref="TemplateException">Its pattern is not a regular expression Fanout can run as GNU parallel would.</exception>
    internal static bool TryMatch(string word, int start, out ValueEdit edit, out string text, out string? position)
    {
        foreach (var (plain, positional, operation) in Matchers)
        {
            var match = plain.Match(word, start);
            var groups = 0;
            if (!match.Success)
            {
                match = positional.Match(word, start);
                groups = 1;
            }

            if (!match.Success)
                continue;
            text = match.Value;
            position = groups == 1 ? match.Groups[1].Value : null;
            var argument = match.Groups[groups + 1].Value;
            var second = match.Groups[groups + 2];
            edit = new ValueEdit(operation, argument, second.Success ? second.Value : "", word, text);
            return true;
        }

        edit = null!;
        text = "";
        position = null;
        return false;
    }

    /// <summary>The edited value.</summary>
    /// <exception cref="TemplateException">The pattern took too long on this value (catastrophic backtracking).</exception>
    internal string Apply(string value)
    {
        try
        {
            return Edit(value);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new TemplateException(_word,
                $"'{_text}' in the template word '{_word}' took longer than {MatchTimeout.TotalSeconds:0} s to match the value '{value}': its pattern backtracks without end. Write it so that it cannot.");
        }
    }

    private string Edit(string value)
    {
        switch (_operation)
        {
            case Operation.Default:
                // Perl's ||=: an empty value and "0" are false.
                return value.Length == 0 || value == "0" ? _argument : value;
            case Operation.From:
                return _start >= value.Length ? "" : value[(int)_start..];
            case Operation.Substring:
                // Perl's substr past the end is undefined, which prints as nothing.
                return _start > value.Length ? "" : value.Substring((int)_start, (int)Math.Min(_length, value.Length - _start));
            case Operation.RemoveShortestPrefix:
            case Operation.RemoveShortestSuffix:
                return _pattern!.Replace(value, m => m.Groups[1].Value, 1);
            case Operation.RemoveLongestPrefix:
            case Operation.RemoveLongestSuffix:
                return _pattern!.Replace(value, "", 1);
            case Operation.ReplaceFirst:
                return _pattern!.Replace(value, _ => _replacement, 1);
            case Operation.ReplaceAtStart:
            case Operation.ReplaceAtEnd:
            case Operation.ReplaceAll:
                return _pattern!.Replace(value, _ => _replacement);
            case Operation.UpperFirst:
                return _pattern!.Replace(value, m => AsciiUpper(m.Groups[1].Value), 1);
            case Operation.UpperAll:
                return _pattern!.Replace(value, m => AsciiUpper(m.Groups[1].Value));
            case Operation.LowerFirst:
                return _pattern!.Replace(value, m => AsciiLower(m.Groups[1].Value), 1);
            default:
                return _pattern!.Replace(value, m => AsciiLower(m.Groups[1].Value));
        }
    }

    /// <summary>The pattern of the Perl substitution GNU parallel runs for the edit.</summary>
    private static string PerlPattern(Operation operation, string argument) => operation switch
    {
        Operation.RemoveShortestPrefix => "^" + Ungreedy(argument) + "(.*)",
        Operation.RemoveLongestPrefix => "^" + argument,
        Operation.RemoveShortestSuffix => "(.*)" + Ungreedy(argument) + "$",
        Operation.RemoveLongestSuffix => argument + "$",
        Operation.ReplaceAtStart => "^" + argument,
        Operation.ReplaceAtEnd => argument + "$",
        Operation.UpperFirst or Operation.LowerFirst => "^(" + argument + ")",
        Operation.UpperAll or Operation.LowerAll => "(" + argument + ")",
        _ => argument,
    };

    /// <summary>
    /// GNU parallel's make_regexp_ungreedy: a '?' after each quantifier (<c>*</c>, <c>+</c>, a
    /// closing <c>}</c>) outside brackets and escapes that has none, so the shortest match wins.
    /// </summary>
    private static string Ungreedy(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 4);
        bool inClass = false, escaped = false, quantifier = false;
        foreach (var c in pattern)
        {
            if (quantifier)
            {
                if (c != '?')
                    result.Append('?');
                quantifier = false;
            }

            result.Append(c);
            if (escaped)
            {
                escaped = false;
                continue;
            }

            if (c == '\\')
            {
                escaped = true;
                continue;
            }

            if (c == '[')
            {
                inClass = true;
                continue;
            }

            if (inClass)
            {
                if (c == ']')
                    inClass = false;
                continue;
            }

            quantifier = c is '*' or '}' or '+';
        }

        if (quantifier)
            result.Append('?');
        return result.ToString();
    }

    private static Regex Compile(string pattern, string word, string text)
    {
        var unlike = UnlikePerl().Match(pattern);
        if (unlike.Success)
        {
            throw new TemplateException(word,
                $"'{text}' in the template word '{word}' uses '{unlike.Value}', which Perl (and so GNU parallel) reads differently from .NET's regular expressions. Write it another way, such as [A-Za-z] for [[:alpha:]] or {{0,n}} for {{,n}}.");
        }

        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new TemplateException(word,
                $"'{text}' in the template word '{word}' is a --plus edit whose pattern is not a regular expression Fanout can run: {e.Message}");
        }
    }

    private static long Number(string digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;

    // Perl changes the case of ASCII letters only in the byte strings GNU parallel edits.
    private static string AsciiUpper(string text) => string.Create(text.Length, text, static (span, t) =>
    {
        for (var i = 0; i < t.Length; i++)
            span[i] = char.IsAsciiLetterLower(t[i]) ? (char)(t[i] - 32) : t[i];
    });

    private static string AsciiLower(string text) => string.Create(text.Length, text, static (span, t) =>
    {
        for (var i = 0; i < t.Length; i++)
            span[i] = char.IsAsciiLetterUpper(t[i]) ? (char)(t[i] + 32) : t[i];
    });

    // POSIX classes, and {,n}: Perl 5.34 and later read it as {0,n}, .NET as the text "{,n}".
    [GeneratedRegex(@"\[:\^?[a-z]+:\]|\{,[0-9]+\}")]
    private static partial Regex UnlikePerl();
}
