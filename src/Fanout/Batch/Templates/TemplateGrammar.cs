namespace Fanout.Batch;

/// <summary>
/// The replacement strings one template is parsed with: the basic ones as named by
/// <see cref="ReplacementStrings"/>, and with <c>--plus</c> GNU parallel's extra ones, each fixed
/// string with the positional forms (<c>{2.}</c>) of those that begin with <c>{</c>.
/// </summary>
internal sealed class TemplateGrammar
{
    // GNU parallel's --plus path edits and their positional forms ({2..}).
    private static readonly (string Suffix, ReplacementKind Kind)[] PlusPathSuffixes =
    [
        ("+/}", ReplacementKind.PlusDirectory),
        ("+.}", ReplacementKind.PlusExtension),
        ("+..}", ReplacementKind.PlusTwoExtensions),
        ("+...}", ReplacementKind.PlusThreeExtensions),
        ("..}", ReplacementKind.WithoutTwoExtensions),
        ("...}", ReplacementKind.WithoutThreeExtensions),
        ("/..}", ReplacementKind.BasenameWithoutTwoExtensions),
        ("/...}", ReplacementKind.BasenameWithoutThreeExtensions),
        ("choose_k}", ReplacementKind.ChooseK),
        ("uniq}", ReplacementKind.Unique),
    ];

    // --plus strings without a positional form: the job counts and {slot}.
    private static readonly (string Text, ReplacementKind Kind)[] PlusJobStrings =
    [
        ("{##}", ReplacementKind.TotalJobs),
        ("{0#}", ReplacementKind.PaddedSequence),
        ("{0%}", ReplacementKind.PaddedSlot),
        ("{slot}", ReplacementKind.SlotVariable),
    ];

    private static readonly TemplateGrammar Basic = new(ReplacementStrings.Default, plus: false);
    private static readonly TemplateGrammar BasicPlus = new(ReplacementStrings.Default, plus: true);

    private TemplateGrammar(ReplacementStrings strings, bool plus)
    {
        Strings = strings;
        Plus = plus;
        var basic = strings.All.ToList();
        var valueForms = basic.Where(b => b.Kind is not (ReplacementKind.Sequence or ReplacementKind.Slot));
        var numberForms = basic.Where(b => b.Kind is ReplacementKind.Sequence or ReplacementKind.Slot);
        PositionalSuffixes =
        [
            .. valueForms.Where(b => b.Text.StartsWith('{')).Select(b => (b.Text[1..], b.Kind)),
            .. plus ? PlusPathSuffixes : [],
        ];
        // Longest first, as GNU parallel replaces them: a string that begins another is tried after it.
        Fixed =
        [
            .. basic.Concat(plus ? PlusPathSuffixes.Select(p => (Text: "{" + p.Suffix, p.Kind)).Concat(PlusJobStrings) : [])
                .OrderByDescending(f => f.Text.Length),
        ];
        NumberedJobNumbers =
        [
            .. numberForms.Where(b => b.Text.StartsWith('{')).Select(b => b.Text[1..]),
            .. plus ? PlusJobStrings.Select(p => p.Text[1..]) : [],
        ];
        MatchesAnywhere = Fixed.Any(f => !f.Text.StartsWith('{'));
    }

    /// <summary>The names of the basic replacement strings.</summary>
    internal ReplacementStrings Strings { get; }

    /// <summary>True with GNU parallel's <c>--plus</c> strings.</summary>
    internal bool Plus { get; }

    /// <summary>Every fixed replacement string, longest first.</summary>
    internal (string Text, ReplacementKind Kind)[] Fixed { get; }

    /// <summary>What follows <c>{n</c> in a positional form, such as <c>.}</c> in <c>{2.}</c>.</summary>
    internal (string Suffix, ReplacementKind Kind)[] PositionalSuffixes { get; }

    /// <summary>What follows <c>{n</c> when a job number is given a source number (<c>{2#}</c>), which GNU parallel renders as nothing.</summary>
    internal string[] NumberedJobNumbers { get; }

    /// <summary>True when a renamed string does not begin with <c>{</c>, so one may start anywhere in a word.</summary>
    internal bool MatchesAnywhere { get; }

    /// <summary>The grammar for <paramref name="strings"/> (the defaults when null), with or without <c>--plus</c>.</summary>
    /// <exception cref="TemplateException">A string is empty or given twice.</exception>
    internal static TemplateGrammar For(ReplacementStrings? strings, bool plus)
    {
        if (strings is null || strings == ReplacementStrings.Default)
            return plus ? BasicPlus : Basic;
        strings.Validate();
        return new TemplateGrammar(strings, plus);
    }
}
