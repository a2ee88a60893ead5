namespace Fanout.Batch;

/// <summary>A piece of a parsed template: literal shell text, or a replacement string when <see cref="Literal"/> is null.</summary>
internal readonly record struct TemplatePart(string? Literal, Replacement Replacement)
{
    /// <summary>Literal shell text, copied as it is.</summary>
    internal static TemplatePart Text(string literal) => new(literal, default);

    /// <summary>A replacement string.</summary>
    internal static TemplatePart Replace(Replacement replacement) => new(null, replacement);
}
