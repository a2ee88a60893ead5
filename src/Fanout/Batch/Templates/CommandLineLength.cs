using System.Globalization;
using System.Text;

namespace Fanout.Batch;

/// <summary>
/// GNU parallel's estimate of how long a command line grows as input arguments are added to it,
/// which decides where its <c>-m</c>, <c>-X</c> and <c>--xargs</c> cut (<see cref="CommandLinePacker"/>).
/// It is not the rendered length, and copying it is what makes the cuts fall where GNU parallel's do.
/// </summary>
/// <remarks>
/// The template's words are measured once: the literal text outside any "context group" (a run of
/// non-blank characters holding a replacement string), the literal text inside them, and how many
/// groups there are. Each replacement string adds, per argument, the length of what it inserts
/// (quoted as inserted), times how often the template uses it. With context replacement (<c>-X</c>)
/// the context groups count once per value, else once. Lengths are UTF-8 bytes, with GNU parallel's
/// escaping of the template (<see cref="TemplateBytes"/>).
/// </remarks>
internal sealed class CommandLineLength
{
    private const string Blanks = " \t\n\r\f\v";

    private readonly long _fixed;
    private readonly long _context;
    private readonly long _contextGroups;
    private readonly bool _inContext;
    private readonly bool _quotes;
    private readonly (Replacement Kind, int Count)[] _uses;
    private readonly long[] _inserted;
    private int _arguments;
    private int _valuesPerArgument;

    /// <param name="template">The command template.</param>
    /// <param name="alsoCounted">Replacement strings GNU parallel counts as used at least once: those of the
    /// <c>--tagstring</c> (<c>{}</c> for <c>--tag</c>).</param>
    internal CommandLineLength(CommandTemplate template, IEnumerable<Replacement> alsoCounted)
    {
        _inContext = template.ReplacesInContext;
        _quotes = template.QuotesValues;
        var words = template.AppendsArguments ? [.. template.Words, "{}"] : template.Words.ToList();
        long outside = 0, inside = 0, groups = 0;
        var uses = new Dictionary<(ReplacementKind, int, string?), (Replacement Kind, int Count)>();
        foreach (var word in words)
        {
            var parts = CommandTemplate.Parse([word], null, template.Plus, template.Strings).Parts;
            var (wordOutside, wordInside, wordGroups) = Measure(parts);
            outside += wordOutside;
            inside += wordInside;
            groups += wordGroups;
            foreach (var part in parts.Where(p => p.Literal is null))
                uses[KeyOf(part.Replacement)] = (part.Replacement, uses.GetValueOrDefault(KeyOf(part.Replacement)).Count + 1);
        }

        // Counted at least once, before the command's own: a command with no replacement string gets
        // its {} appended after that, so then {} counts twice.
        foreach (var replacement in alsoCounted.DistinctBy(KeyOf))
        {
            var key = KeyOf(replacement);
            var count = uses.GetValueOrDefault(key).Count;
            uses[key] = (replacement, template.AppendsArguments && key == (ReplacementKind.Value, 0, null) ? count + 1 : Math.Max(count, 1));
        }

        _fixed = outside + words.Count - 1;
        _context = inside;
        _contextGroups = groups;
        _uses = [.. uses.Values];
        _inserted = new long[_uses.Length];
    }

    /// <summary>The estimate for the arguments added since the last <see cref="Clear"/>.</summary>
    internal long Length
    {
        get
        {
            long values = (long)_arguments * _valuesPerArgument;
            var length = _fixed;
            if (_inContext)
            {
                length += (values * _context) + ((values - 1) * _contextGroups);
                for (var i = 0; i < _uses.Length; i++)
                    length += _inserted[i] * _uses[i].Count;
            }
            else
            {
                length += _context;
                for (var i = 0; i < _uses.Length; i++)
                    length += (values - 1 + _inserted[i]) * _uses[i].Count;
            }

            return length;
        }
    }

    /// <summary>Starts a new command line.</summary>
    internal void Clear()
    {
        Array.Clear(_inserted);
        _arguments = 0;
        _valuesPerArgument = 0;
    }

    /// <summary>Adds one input argument (a value of each source) to the command line numbered <paramref name="sequence"/>.</summary>
    internal void Add(IReadOnlyList<string> argument, long sequence, int slot)
    {
        if (_arguments++ == 0)
            _valuesPerArgument = argument.Count;
        for (var i = 0; i < _uses.Length; i++)
            _inserted[i] += Inserted(_uses[i].Kind, argument, sequence, slot);
    }

    private long Inserted(Replacement replacement, IReadOnlyList<string> argument, long sequence, int slot)
    {
        // {#} and {%} are GNU parallel's "positional" expressions on the first value: counted for every argument.
        switch (replacement.Kind)
        {
            case ReplacementKind.Sequence:
                return argument.Count > 0 ? Digits(sequence) : 0;
            case ReplacementKind.Slot:
                return argument.Count > 0 ? Digits(slot) : 0;
            case ReplacementKind.SlotVariable:
                return argument.Count > 0 ? Replacement.SlotVariableText.Length : 0;
        }

        if (replacement.Position != 0)
        {
            var index = replacement.Position > 0 ? replacement.Position - 1 : argument.Count + replacement.Position;
            return index >= 0 && index < argument.Count ? Bytes(replacement.Transform(argument[index])) : 0;
        }

        long sum = 0;
        foreach (var value in argument)
            sum += Bytes(replacement.Transform(value));
        return sum;
    }

    private long Bytes(string value) => Encoding.UTF8.GetByteCount(_quotes ? ParallelQuoting.Quote(value) : value);

    /// <summary>
    /// A template character's bytes as GNU parallel counts them: it escapes each byte 0xAF (its
    /// replacement-string marker, found in UTF-8 as in ï or ¯) as two, and measures the escaped text.
    /// </summary>
    private static int TemplateBytes(Rune rune)
    {
        if (rune.IsAscii)
            return 1;
        Span<byte> utf8 = stackalloc byte[4];
        var length = rune.EncodeToUtf8(utf8);
        return length + utf8[..length].Count((byte)0xAF);
    }

    private static int Digits(long number) => number.ToString(CultureInfo.InvariantCulture).Length;

    private static (ReplacementKind, int, string?) KeyOf(Replacement replacement) => (replacement.Kind, replacement.Position, replacement.Edit?.Signature);

    /// <summary>
    /// Measures one word in runs of non-blank characters: a run holding a replacement string is a
    /// context group, whose literal bytes are "inside"; the rest, blanks included, is "outside".
    /// </summary>
    private static (long Outside, long Inside, long Groups) Measure(IReadOnlyList<TemplatePart> parts)
    {
        long outside = 0, inside = 0, groups = 0, run = 0;
        var hasReplacement = false;
        foreach (var part in parts)
        {
            if (part.Literal is not { } text)
            {
                hasReplacement = true;
                continue;
            }

            foreach (var rune in text.EnumerateRunes())
            {
                if (!(rune.IsAscii && Blanks.Contains((char)rune.Value, StringComparison.Ordinal)))
                {
                    run += TemplateBytes(rune);
                    continue;
                }

                EndRun();
                outside++;
            }
        }

        EndRun();
        return (outside, inside, groups);

        void EndRun()
        {
            if (hasReplacement)
            {
                inside += run;
                groups++;
            }
            else
            {
                outside += run;
            }

            run = 0;
            hasReplacement = false;
        }
    }
}
