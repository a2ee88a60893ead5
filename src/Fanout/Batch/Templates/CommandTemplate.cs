using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fanout.Batch;

/// <summary>
/// A command template with GNU parallel's replacement strings, rendered once per job into the shell
/// command line GNU parallel would run for the same input.
/// </summary>
/// <remarks>
/// <para>Replacement strings: <c>{}</c> the input value, <c>{.}</c> without extension, <c>{/}</c>
/// without directory, <c>{//}</c> the directory, <c>{/.}</c> without directory and extension,
/// <c>{#}</c> the job's sequence number, <c>{%}</c> the job slot; <c>{n}</c>, <c>{n.}</c>,
/// <c>{n/}</c>, <c>{n//}</c>, <c>{n/.}</c> use the n-th input source only, and <c>{-n}</c> counts
/// from the last. With several input sources <c>{}</c> (and <c>{.}</c>…) insert every value,
/// separated by spaces. Any other brace text, such as awk's <c>{print $1}</c>, stays as written.</para>
/// <para>The template words are shell code: they are joined with single spaces as given. Every
/// inserted value is quoted as GNU parallel quotes it, so it stays one argument and never runs as
/// code — except, as in GNU parallel, when a replacement string is part of the first word (the
/// command itself, as in <c>{}</c> or <c>{1} {2}</c>): then values are inserted bare, because they
/// are meant to be commands (see <see cref="QuotesValues"/>). A template without a replacement
/// string gets the values appended, as if it ended with <c> {}</c>.</para>
/// </remarks>
/// <example>
/// <code>
/// var template = CommandTemplate.Parse(["gzip", "-c", "{}", "&gt;", "{.}.gz"]);
/// template.Render(["my file.txt"], sequence: 1, slot: 1);  // gzip -c 'my file.txt' &gt; 'my file'.gz
/// </code>
/// </example>
public sealed partial class CommandTemplate
{
    // The path forms a column name takes ({name.}), shortest first, so a name ending in '.' or '/' wins over a path form.
    private static readonly (string Suffix, ReplacementKind Kind)[] NameSuffixes =
        [.. TemplateGrammar.For(null, plus: false).PositionalSuffixes.OrderBy(p => p.Suffix.Length)];

    // Positions beyond this are surely typing mistakes; the bound keeps the arithmetic safe.
    private const int MaxPosition = 1_000_000;

    private readonly TemplatePart[] _parts;
    private readonly int _literalLength;
    private readonly bool _skipsUnlessIncreasing;
    private readonly bool _skipsRepeats;
    private bool _missingPositionsEmpty;
    private long? _totalJobs;
    private int _jobSlots = 1;
    private TemplateGrammar _grammar = TemplateGrammar.For(null, plus: false);

    // With context replacement: the template split at white space into words, each repeated per value when it holds {} or the like.
    private ContextWord[]? _contextWords;

    private CommandTemplate(IReadOnlyList<string> words, TemplatePart[] parts, bool appendsArguments, bool quotesValues, int requiredSources)
    {
        Words = words;
        _parts = parts;
        AppendsArguments = appendsArguments;
        QuotesValues = quotesValues;
        RequiredSourceCount = requiredSources;
        _literalLength = parts.Sum(p => p.Literal?.Length ?? 0);
        _skipsUnlessIncreasing = parts.Any(p => p.Literal is null && p.Replacement.Kind == ReplacementKind.ChooseK);
        _skipsRepeats = parts.Any(p => p.Literal is null && p.Replacement.Kind == ReplacementKind.Unique);
    }

    /// <summary>The template words as given.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The literal text and replacement strings of the template, in order (words joined by single spaces).</summary>
    internal IReadOnlyList<TemplatePart> Parts => _parts;

    /// <summary>True when parsed with GNU parallel's <c>--plus</c> replacement strings.</summary>
    internal bool Plus => _grammar.Plus;

    /// <summary>The names of the basic replacement strings it was parsed with.</summary>
    internal ReplacementStrings Strings => _grammar.Strings;

    /// <summary>True after <see cref="WithContextReplacement"/>: a word holding <c>{}</c> is repeated per value.</summary>
    internal bool ReplacesInContext => _contextWords is not null;

    /// <summary>True when the template uses the number of jobs (<c>{##}</c>, <c>{0#}</c>): render it <see cref="WithJobCounts"/>, once every job is known.</summary>
    public bool UsesTotalJobs => _parts.Any(p => p.Literal is null && p.Replacement.Kind is ReplacementKind.TotalJobs or ReplacementKind.PaddedSequence);

    /// <summary>
    /// True when a job with these values is not to run (GNU parallel's <c>--plus</c> skips it, and
    /// still counts its sequence number): with <c>{choose_k}</c> unless the values strictly increase
    /// (in ordinal order, so the jobs over n sources of the same k values are the k-combinations),
    /// with <c>{uniq}</c> when two values are equal.
    /// </summary>
    /// <param name="values">The job's input values.</param>
    /// <returns>True to skip the job.</returns>
    public bool Skips(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_skipsUnlessIncreasing)
        {
            for (var i = 1; i < values.Count; i++)
            {
                if (string.CompareOrdinal(values[i - 1], values[i]) >= 0)
                    return true;
            }
        }

        if (_skipsRepeats && values.Count > 1 && values.Distinct(StringComparer.Ordinal).Count() != values.Count)
            return true;
        return false;
    }

    /// <summary>True when the rendered line depends on the job slot (<c>{%}</c>, <c>{0%}</c>).</summary>
    public bool UsesSlot => _parts.Any(p => p.Literal is null && p.Replacement.Kind is ReplacementKind.Slot or ReplacementKind.PaddedSlot);

    /// <summary>
    /// True when the template has no replacement string, so each job's values are appended to it
    /// (separated by spaces), as GNU parallel does.
    /// </summary>
    public bool AppendsArguments { get; }

    /// <summary>
    /// True when inserted values are shell-quoted. False, as in GNU parallel, when a replacement
    /// string is part of the command word itself (for example an empty template, <c>{}</c>, or
    /// <c>{1} {2}</c>): the values are then shell code to run, inserted bare.
    /// </summary>
    public bool QuotesValues { get; }

    /// <summary>
    /// The fewest input values per job the positional replacement strings need: 3 for a template
    /// using <c>{3}</c> or <c>{-3}</c>, 0 when it uses none.
    /// </summary>
    public int RequiredSourceCount { get; }

    /// <summary>Parses a command template.</summary>
    /// <param name="words">The template words: the <c>fanout run</c> words before the first input source.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="TemplateException">A replacement string is malformed; see <see cref="Parse(IReadOnlyList{string}, IReadOnlyList{string}?)"/>.</exception>
    public static CommandTemplate Parse(IReadOnlyList<string> words) => Parse(words, null);

    /// <summary>
    /// Parses a command template whose input columns have names (GNU parallel's <c>--header :</c>):
    /// <c>{name}</c>, <c>{name.}</c>, <c>{name/}</c>, <c>{name//}</c> and <c>{name/.}</c> then stand
    /// for the column so named, as <c>{n}</c> does for the nth. Brace text naming no column stays as written.
    /// </summary>
    /// <param name="words">The template words: the <c>fanout run</c> words before the first input source.</param>
    /// <param name="columnNames">The name of each input value, in order (the first is <c>{1}</c>); null or empty names nothing.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="TemplateException">
    /// A replacement string is malformed: <c>{0}</c> (sources count from 1), a position too large,
    /// or a <c>{= perl expression =}</c>, which Fanout does not run.
    /// </exception>
    public static CommandTemplate Parse(IReadOnlyList<string> words, IReadOnlyList<string>? columnNames) => Parse(words, columnNames, plus: false);

    /// <summary>
    /// Parses a command template, with GNU parallel's <c>--plus</c> replacement strings when
    /// <paramref name="plus"/> is true: <c>{..}</c> and <c>{...}</c> (without the last two or three
    /// extensions), <c>{/..}</c> and <c>{/...}</c> (of the base name), <c>{+/}</c> (the directory
    /// part), <c>{+.}</c>, <c>{+..}</c> and <c>{+...}</c> (the last one, two or three extensions),
    /// each also as <c>{n..}</c> for source n; <c>{##}</c> (the number of jobs), <c>{0#}</c> and
    /// <c>{0%}</c> (the sequence number and slot, zero-padded). Without it they stay as written.
    /// </summary>
    /// <param name="words">The template words: the <c>fanout run</c> words before the first input source.</param>
    /// <param name="columnNames">The name of each input value, in order; null or empty names nothing.</param>
    /// <param name="plus">True to recognise the <c>--plus</c> replacement strings.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="TemplateException">A replacement string is malformed.</exception>
    public static CommandTemplate Parse(IReadOnlyList<string> words, IReadOnlyList<string>? columnNames, bool plus) =>
        Parse(words, columnNames, plus, strings: null);

    /// <summary>
    /// Parses a command template whose basic replacement strings are renamed (GNU parallel's
    /// <c>-I</c>, <c>--er</c>, <c>--bnr</c>, <c>--dnr</c>, <c>--bner</c>, <c>--seqreplace</c>,
    /// <c>--slotreplace</c>): see <see cref="ReplacementStrings"/>.
    /// </summary>
    /// <param name="words">The template words: the <c>fanout run</c> words before the first input source.</param>
    /// <param name="columnNames">The name of each input value, in order; null or empty names nothing.</param>
    /// <param name="plus">True to recognise the <c>--plus</c> replacement strings.</param>
    /// <param name="strings">The basic replacement strings' text; null for GNU parallel's defaults.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="TemplateException">A replacement string is malformed, or <paramref name="strings"/> has an empty or repeated one.</exception>
    public static CommandTemplate Parse(IReadOnlyList<string> words, IReadOnlyList<string>? columnNames, bool plus, ReplacementStrings? strings)
    {
        ArgumentNullException.ThrowIfNull(words);
        RejectPerlExpressions(words);
        var grammar = TemplateGrammar.For(strings, plus);

        var parts = new List<TemplatePart>();
        var literal = new StringBuilder();
        string? beforeFirst = null;
        var required = 0;
        for (var w = 0; w < words.Count; w++)
        {
            if (w > 0)
                literal.Append(' ');
            var word = words[w];
            var i = 0;
            while (i < word.Length)
            {
                if ((word[i] == '{' || grammar.MatchesAnywhere) && (TryMatch(word, i, grammar, out var replacement) || TryMatchName(word, i, columnNames, out replacement)))
                {
                    beforeFirst ??= literal.ToString();
                    if (literal.Length > 0)
                        parts.Add(TemplatePart.Text(literal.ToString()));
                    literal.Clear();
                    parts.Add(TemplatePart.Replace(replacement));
                    required = Math.Max(required, Math.Abs(replacement.Position));
                    i += replacement.Text.Length;
                }
                else
                {
                    if (plus && word[i] == '{')
                        RejectUnsupportedPlus(word, i);
                    literal.Append(word[i]);
                    i++;
                }
            }
        }

        if (literal.Length > 0)
            parts.Add(TemplatePart.Text(literal.ToString()));
        var appends = beforeFirst is null;
        // GNU parallel appends " {}" and then asks /^[^ \t\n=]*\257</ of the whole command: values
        // are left bare when the first replacement string is part of the first word.
        beforeFirst ??= words.Count == 0 ? "" : string.Join(' ', words) + " ";
        var quotes = beforeFirst.AsSpan().IndexOfAny(" \t\n=") >= 0;
        return new CommandTemplate(ImmutableArray.CreateRange(words), [.. parts], appends, quotes, required) { _grammar = grammar };
    }

    /// <summary>
    /// This template, rendering a positional replacement string past the job's last value as
    /// nothing instead of refusing it: input split into columns (<see cref="InputColumns"/>) has
    /// as many values as each line has columns, and GNU parallel leaves a missing column empty.
    /// Likewise for the last job of <see cref="TemplateInput.WithArgumentsPerJob"/>, and a job with
    /// no values at all (<c>-N 0</c>) renders every replacement string but <c>{#}</c> and <c>{%}</c> as nothing.
    /// </summary>
    /// <returns>A template that renders missing positions empty.</returns>
    public CommandTemplate WithMissingPositionsEmpty() =>
        new(Words, _parts, AppendsArguments, QuotesValues, RequiredSourceCount)
        {
            _missingPositionsEmpty = true,
            _contextWords = _contextWords,
            _totalJobs = _totalJobs,
            _grammar = _grammar,
            _jobSlots = _jobSlots,
        };

    /// <summary>
    /// This template with GNU parallel's context replacement, which its <c>-N</c> (and <c>-X</c>)
    /// turn on: a word of the command line holding <c>{}</c> (or <c>{.}</c>, <c>{/}</c>, <c>{//}</c>,
    /// <c>{/.}</c>) is repeated for each of the job's values, so <c>x{}y</c> with the values a and b
    /// renders <c>xay xby</c> rather than <c>xa by</c>. Words end at spaces outside the replacement
    /// strings and a tab begins one, as GNU parallel splits them; other replacement strings in a
    /// repeated word render the same each time.
    /// </summary>
    /// <returns>A template that repeats words per value.</returns>
    public CommandTemplate WithContextReplacement() =>
        new(Words, _parts, AppendsArguments, QuotesValues, RequiredSourceCount)
        {
            _missingPositionsEmpty = _missingPositionsEmpty,
            _contextWords = ContextWord.Split(_parts),
            _totalJobs = _totalJobs,
            _grammar = _grammar,
            _jobSlots = _jobSlots,
        };

    /// <summary>
    /// This template with every value inserted as it is, never shell-quoted: for text that is not a
    /// command line, such as GNU parallel's <c>--tagstring</c>.
    /// </summary>
    /// <returns>A template that inserts values bare.</returns>
    public CommandTemplate WithoutQuoting() =>
        new(Words, _parts, AppendsArguments, quotesValues: false, RequiredSourceCount)
        {
            _missingPositionsEmpty = _missingPositionsEmpty,
            _contextWords = _contextWords,
            _totalJobs = _totalJobs,
            _grammar = _grammar,
            _jobSlots = _jobSlots,
        };

    /// <summary>
    /// This template knowing the number of jobs, for <c>{##}</c> and <c>{0#}</c>, and of job slots
    /// (jobs run at once), for the width of <c>{0%}</c>.
    /// </summary>
    /// <param name="totalJobs">The number of jobs; null when not known (then <c>{##}</c> cannot be rendered).</param>
    /// <param name="jobSlots">The number of job slots, 1 or more.</param>
    /// <returns>A template that renders the job counts.</returns>
    public CommandTemplate WithJobCounts(long? totalJobs, int jobSlots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobSlots, 1);
        return new(Words, _parts, AppendsArguments, QuotesValues, RequiredSourceCount)
        {
            _missingPositionsEmpty = _missingPositionsEmpty,
            _contextWords = _contextWords,
            _totalJobs = totalJobs,
            _grammar = _grammar,
            _jobSlots = jobSlots,
        };
    }

    /// <summary>Checks that every job, having <paramref name="sourceCount"/> input values, can fill the template.</summary>
    /// <param name="sourceCount">The values each job gets: the number of input sources, times the arguments per job (<see cref="TemplateInput.ValuesPerJob"/>).</param>
    /// <exception cref="TemplateException">A positional replacement string such as <c>{3}</c> names a source that does not exist.</exception>
    public void Validate(int sourceCount)
    {
        if (sourceCount >= RequiredSourceCount)
            return;
        foreach (var part in _parts)
        {
            if (part.Literal is null && Math.Abs(part.Replacement.Position) > sourceCount)
                throw OutOfRange(part.Replacement, sourceCount);
        }
    }

    /// <summary>Renders the shell command line for one job, exactly as GNU parallel would run it with <c>/bin/sh -c</c>.</summary>
    /// <param name="arguments">The job's input values, one per input source, in the sources' order.</param>
    /// <param name="sequence">The job's sequence number for <c>{#}</c>, counting from 1.</param>
    /// <param name="slot">The job slot for <c>{%}</c>: a number from 1 to the number of jobs run at once,
    /// free at the time the job starts.</param>
    /// <returns>The command line.</returns>
    /// <exception cref="TemplateException">A positional replacement string names a source beyond <paramref name="arguments"/>.</exception>
    public string Render(IReadOnlyList<string> arguments, long sequence, int slot)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        // GNU parallel gives a job without values one empty value, except when they are missing
        // on purpose (-N 0): then every replacement string, {} included, renders as nothing.
        if (arguments.Count == 0 && !_missingPositionsEmpty)
            arguments = [""];
        if (!_missingPositionsEmpty)
            Validate(arguments.Count);

        var line = new StringBuilder(_literalLength + 16 * arguments.Count * Math.Max(1, _parts.Length - 1));
        if (_contextWords is null)
            RenderParts(line, _parts, arguments, sequence, slot, valueIndex: -1);
        else
            RenderInContext(line, _contextWords, arguments, sequence, slot);

        if (AppendsArguments)
        {
            if (Words.Count > 0)
                line.Append(' ');
            Insert(line, new Replacement(ReplacementKind.Value, 0, "{}", "{}"), arguments, sequence, slot);
        }

        return line.ToString();
    }

    /// <summary>The template words joined with spaces, as written.</summary>
    /// <returns>The template text.</returns>
    public override string ToString() => string.Join(' ', Words);

    /// <summary>Renders <paramref name="parts"/>; with a <paramref name="valueIndex"/> of 0 or more, {} and its like insert that value only.</summary>
    private void RenderParts(StringBuilder line, TemplatePart[] parts, IReadOnlyList<string> arguments, long sequence, int slot, int valueIndex)
    {
        foreach (var part in parts)
        {
            if (part.Literal is not null)
                line.Append(part.Literal);
            else if (valueIndex >= 0 && part.Replacement.UsesEveryValue)
                Append(line, part.Replacement.Transform(arguments[valueIndex]));
            else
                Insert(line, part.Replacement, arguments, sequence, slot);
        }
    }

    private void RenderInContext(StringBuilder line, ContextWord[] words, IReadOnlyList<string> arguments, long sequence, int slot)
    {
        foreach (var word in words)
        {
            if (!word.RepeatsPerValue || arguments.Count == 0)
            {
                RenderParts(line, word.Parts, arguments, sequence, slot, valueIndex: -1);
                continue;
            }

            for (var i = 0; i < arguments.Count; i++)
            {
                if (i > 0)
                    line.Append(' ');
                RenderParts(line, word.Parts, arguments, sequence, slot, valueIndex: i);
            }
        }
    }

    private void Insert(StringBuilder line, Replacement replacement, IReadOnlyList<string> arguments, long sequence, int slot)
    {
        switch (replacement.Kind)
        {
            case ReplacementKind.Sequence:
                line.Append(sequence.ToString(CultureInfo.InvariantCulture));
                return;
            case ReplacementKind.Slot:
                line.Append(slot.ToString(CultureInfo.InvariantCulture));
                return;
            case ReplacementKind.TotalJobs:
                line.Append(TotalJobs(replacement).ToString(CultureInfo.InvariantCulture));
                return;
            case ReplacementKind.PaddedSequence:
                line.Append(sequence.ToString(CultureInfo.InvariantCulture).PadLeft(PaddedWidth(TotalJobs(replacement)), '0'));
                return;
            case ReplacementKind.PaddedSlot:
                line.Append(slot.ToString(CultureInfo.InvariantCulture).PadLeft(PaddedWidth(_jobSlots), '0'));
                return;
            case ReplacementKind.SlotVariable:
                line.Append(Replacement.SlotVariableText);
                return;
        }

        if (replacement.Position != 0)
        {
            var index = replacement.Position > 0 ? replacement.Position - 1 : arguments.Count + replacement.Position;
            if (index >= 0 && index < arguments.Count)
                Append(line, replacement.Transform(arguments[index]));
            return;
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            if (i > 0)
                line.Append(' ');
            Append(line, replacement.Transform(arguments[i]));
        }
    }

    private long TotalJobs(Replacement replacement) =>
        _totalJobs ?? throw new InvalidOperationException($"'{replacement.Text}' needs the number of jobs: render with WithJobCounts once every job is known.");

    /// <summary>GNU parallel's width for {0#} and {0%}: 1 + int(log(n) / log(10)), in floating point as Perl computes it (so 1000 gives 3).</summary>
    private static int PaddedWidth(long count) => 1 + (int)(Math.Log(Math.Max(count, 1)) / Math.Log(10));

    private void Append(StringBuilder line, string value) =>
        line.Append(QuotesValues ? ParallelQuoting.Quote(value) : value);

    /// <summary>Matches a replacement string at <paramref name="start"/>.</summary>
    private static bool TryMatch(string word, int start, TemplateGrammar grammar, out Replacement replacement)
    {
        // GNU parallel tries its longest definitions first: the edits before {%}, {#} and {/}.
        var brace = word[start] == '{';
        if (brace && grammar.Plus && ValueEdit.TryMatch(word, start, out var edit, out var editText, out var editPosition))
        {
            var position = editPosition is null ? 0 : Position(editPosition.TrimStart('-'), editPosition.StartsWith('-'), editText, word);
            replacement = new Replacement(ReplacementKind.Edit, position, editText, word, edit);
            return true;
        }

        var rest = word.AsSpan(start);
        foreach (var (text, kind) in grammar.Fixed)
        {
            if (rest.StartsWith(text, StringComparison.Ordinal))
            {
                replacement = new Replacement(kind, 0, text, word);
                return true;
            }
        }

        if (!brace)
        {
            replacement = default;
            return false;
        }

        // {n}, {-n}, {n.}, {n/}, {n//}, {n/.}; GNU parallel allows white space after the number.
        var i = 1;
        var negative = i < rest.Length && rest[i] == '-';
        if (negative)
            i++;
        var digits = i;
        while (i < rest.Length && char.IsAsciiDigit(rest[i]))
            i++;
        var number = rest[digits..i];
        while (i < rest.Length && rest[i] is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
            i++;
        if (number.Length > 0)
        {
            foreach (var suffix in grammar.NumberedJobNumbers)
            {
                if (rest[i..].StartsWith(suffix, StringComparison.Ordinal))
                {
                    var text = rest[..(i + suffix.Length)].ToString();
                    throw new TemplateException(word,
                        $"'{text}' in the template word '{word}' puts a source number before a job number, which GNU parallel renders as nothing. Write '{{{suffix}' without the number.");
                }
            }

            foreach (var (suffix, kind) in grammar.PositionalSuffixes)
            {
                if (!rest[i..].StartsWith(suffix, StringComparison.Ordinal))
                    continue;
                var text = rest[..(i + suffix.Length)].ToString();
                replacement = new Replacement(kind, Position(number.ToString(), negative, text, word), text, word);
                return true;
            }
        }

        replacement = default;
        return false;
    }

    /// <summary>The source number of a positional replacement string, from its digits: 1 or more, at most <see cref="MaxPosition"/>.</summary>
    private static int Position(string digits, bool negative, string text, string word)
    {
        var trimmed = digits.TrimStart('0');
        if (trimmed.Length == 0)
        {
            throw new TemplateException(word,
                $"'{text}' in the template word '{word}' names input source 0, but input sources are numbered from 1 ({{1}} is the first, {{-1}} the last).");
        }

        if (trimmed.Length > 7 || int.Parse(trimmed, CultureInfo.InvariantCulture) > MaxPosition)
            throw new TemplateException(word, $"'{text}' in the template word '{word}' names input source {digits}, more than Fanout accepts ({MaxPosition}).");
        var position = int.Parse(trimmed, CultureInfo.InvariantCulture);
        return negative ? -position : position;
    }

    /// <summary>Matches <c>{name}</c> and its path forms at <paramref name="start"/>, for a column name given by a header.</summary>
    private static bool TryMatchName(string word, int start, IReadOnlyList<string>? names, out Replacement replacement)
    {
        replacement = default;
        var close = names is { Count: > 0 } ? word.IndexOf('}', start + 1) : -1;
        if (close < 0)
            return false;
        var inner = word[(start + 1)..close];
        // The whole text first, so a name that itself ends in '.' or '/' wins over a path form.
        // Only the basic path forms: GNU parallel's --plus strings have no named forms.
        foreach (var (suffix, kind) in NameSuffixes)
        {
            var modifier = suffix[..^1];
            if (!inner.EndsWith(modifier, StringComparison.Ordinal))
                continue;
            var name = inner[..^modifier.Length];
            if (name.Length == 0)
                continue;
            for (var i = 0; i < names!.Count; i++)
            {
                if (string.Equals(names[i], name, StringComparison.Ordinal))
                {
                    replacement = new Replacement(kind, i + 1, word[start..(close + 1)], word);
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// GNU parallel's --plus strings that Fanout does not support: {host}, {sshlogin}, {hgrp} and
    /// {agrp}, which name the ssh host running the job. Left as written they would run another
    /// command than the user meant.
    /// </summary>
    private static void RejectUnsupportedPlus(string word, int start)
    {
        var match = UnsupportedPlus().Match(word, start);
        if (!match.Success || match.Index != start)
            return;
        throw new TemplateException(word,
            $"'{match.Value}' in the template word '{word}' is one of GNU parallel's --plus strings that Fanout does not support (it runs no jobs over ssh). Drop it, or drop --plus.");
    }

    [GeneratedRegex(@"\{(?:host|sshlogin|hgrp|agrp)\}")]
    private static partial Regex UnsupportedPlus();

    private static void RejectPerlExpressions(IReadOnlyList<string> words)
    {
        var text = string.Join(' ', words);
        var open = text.IndexOf("{=", StringComparison.Ordinal);
        if (open < 0 || text.IndexOf("=}", open + 2, StringComparison.Ordinal) < 0)
            return;
        var word = words.FirstOrDefault(w => w.Contains("{=", StringComparison.Ordinal)) ?? text;
        throw new TemplateException(word,
            $"The template word '{word}' holds a GNU parallel perl expression '{{= … =}}', which Fanout does not run. Use the replacement strings {{}} {{.}} {{/}} {{//}} {{/.}} {{#}} {{%}} {{n}}, or do the edit in the command (for example with the shell's ${{var%.gz}}).");
    }

    private static TemplateException OutOfRange(Replacement replacement, int sourceCount)
    {
        var which = replacement.Position > 0
            ? $"value {replacement.Position}"
            : $"value {-replacement.Position} from the end";
        var have = sourceCount switch
        {
            0 => "a job gets no values here (-N 0)",
            1 => "there is only 1 input source",
            _ => $"a job gets only {sourceCount} values",
        };
        return new TemplateException(replacement.Word,
            $"'{replacement.Text}' in the template word '{replacement.Word}' asks for {which}, but {have} (one per input source, and each ':::' group or '::::' file is one source; -N n gives n times as many).");
    }
}
