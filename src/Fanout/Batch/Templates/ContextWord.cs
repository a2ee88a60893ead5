namespace Fanout.Batch;

/// <summary>
/// A white-space-delimited word of a template, or the white space between two, for GNU parallel's
/// context replacement (<see cref="CommandTemplate.WithContextReplacement"/>): a word holding
/// <c>{}</c> or one of its path forms is repeated for each value.
/// </summary>
internal readonly record struct ContextWord(TemplatePart[] Parts, bool RepeatsPerValue)
{
    /// <summary>Splits parsed template parts at the white space in their literal text; each white-space character is a word of its own that never repeats.</summary>
    internal static ContextWord[] Split(TemplatePart[] parts)
    {
        var words = new List<ContextWord>();
        var current = new List<TemplatePart>();
        foreach (var part in parts)
        {
            if (part.Literal is not { } text)
            {
                current.Add(part);
                continue;
            }

            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (!IsSpace(text[i]))
                    continue;
                if (i > start)
                    current.Add(TemplatePart.Text(text[start..i]));
                Flush(words, current);
                words.Add(new ContextWord([TemplatePart.Text(text[i].ToString())], RepeatsPerValue: false));
                start = i + 1;
            }

            if (start < text.Length)
                current.Add(TemplatePart.Text(text[start..]));
        }

        Flush(words, current);
        return [.. words];
    }

    private static void Flush(List<ContextWord> words, List<TemplatePart> current)
    {
        if (current.Count == 0)
            return;
        words.Add(new ContextWord([.. current], current.Exists(p => p.Literal is null && p.Replacement.UsesEveryValue)));
        current.Clear();
    }

    // Perl's \s, which GNU parallel uses to find the word around a replacement string.
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';
}
