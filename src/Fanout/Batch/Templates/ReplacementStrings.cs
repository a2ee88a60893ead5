namespace Fanout.Batch;

/// <summary>
/// The text of the seven basic replacement strings, which GNU parallel lets the user rename:
/// <c>-I</c> for <c>{}</c>, <c>--er</c> for <c>{.}</c>, <c>--bnr</c> for <c>{/}</c>, <c>--dnr</c> for
/// <c>{//}</c>, <c>--bner</c> for <c>{/.}</c>, <c>--seqreplace</c> for <c>{#}</c> and
/// <c>--slotreplace</c> for <c>{%}</c>. A renamed string replaces the default, which then stays as
/// written. A renamed value string that begins with <c>{</c> keeps a positional form, as in GNU
/// parallel: with <c>-I {x}</c>, <c>{2x}</c> is the second source's value; with <c>-I ,,</c> there is none.
/// </summary>
/// <example>
/// <code>
/// var strings = ReplacementStrings.Default with { Value = "%" };    // xargs -I % habits
/// CommandTemplate.Parse(["mv", "%", "%.bak"], null, plus: false, strings);
/// </code>
/// </example>
public sealed record ReplacementStrings
{
    /// <summary>GNU parallel's own: <c>{}</c> <c>{.}</c> <c>{/}</c> <c>{//}</c> <c>{/.}</c> <c>{#}</c> <c>{%}</c>.</summary>
    public static ReplacementStrings Default { get; } = new();

    /// <summary>The value (<c>{}</c>; GNU parallel's <c>-I</c>).</summary>
    public string Value { get; init; } = "{}";

    /// <summary>The value without its extension (<c>{.}</c>; <c>--er</c>).</summary>
    public string WithoutExtension { get; init; } = "{.}";

    /// <summary>The value without its directory (<c>{/}</c>; <c>--bnr</c>).</summary>
    public string Basename { get; init; } = "{/}";

    /// <summary>The value's directory (<c>{//}</c>; <c>--dnr</c>).</summary>
    public string Dirname { get; init; } = "{//}";

    /// <summary>The value without directory and extension (<c>{/.}</c>; <c>--bner</c>).</summary>
    public string BasenameWithoutExtension { get; init; } = "{/.}";

    /// <summary>The job's sequence number (<c>{#}</c>; <c>--seqreplace</c>).</summary>
    public string Sequence { get; init; } = "{#}";

    /// <summary>The job slot (<c>{%}</c>; <c>--slotreplace</c>).</summary>
    public string Slot { get; init; } = "{%}";

    /// <summary>Each string with the kind of replacement it stands for.</summary>
    internal IEnumerable<(string Text, ReplacementKind Kind)> All =>
    [
        (Value, ReplacementKind.Value),
        (WithoutExtension, ReplacementKind.WithoutExtension),
        (Basename, ReplacementKind.Basename),
        (Dirname, ReplacementKind.Dirname),
        (BasenameWithoutExtension, ReplacementKind.BasenameWithoutExtension),
        (Sequence, ReplacementKind.Sequence),
        (Slot, ReplacementKind.Slot),
    ];

    /// <summary>Checks that every string is given and no two are the same.</summary>
    /// <exception cref="TemplateException">One is empty, or two are equal.</exception>
    internal void Validate()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (text, kind) in All)
        {
            if (string.IsNullOrEmpty(text))
                throw new TemplateException(kind.ToString(), $"The replacement string for {Describe(kind)} is empty: give at least one character.");
            if (!seen.Add(text))
                throw new TemplateException(text, $"'{text}' is given as the replacement string for two things; each needs its own text.");
        }
    }

    private static string Describe(ReplacementKind kind) => kind switch
    {
        ReplacementKind.Value => "the value (-I)",
        ReplacementKind.WithoutExtension => "the value without extension (--er)",
        ReplacementKind.Basename => "the base name (--bnr)",
        ReplacementKind.Dirname => "the directory (--dnr)",
        ReplacementKind.BasenameWithoutExtension => "the base name without extension (--bner)",
        ReplacementKind.Sequence => "the sequence number (--seqreplace)",
        _ => "the job slot (--slotreplace)",
    };
}
