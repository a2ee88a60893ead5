namespace Fanout.Batch;

/// <summary>
/// A word of a template, or the space between two, for GNU parallel's context replacement
/// (<see cref="CommandTemplate.WithContextReplacement"/>): a word holding <c>{}</c> or one of its
/// path forms is repeated for each value. As GNU parallel splits them, words end at a space, a tab
/// begins a word (and is repeated with it), and a newline is part of the word around it.
/// </summary>
internal readonly record struct ContextWord(TemplatePart[] Parts, bool RepeatsPerValue)
{
    /// <summary>Splits parsed template parts into words at the spaces and before the tabs in their literal text; each space is a word of its own that never repeats.</summary>
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
                if (text[i] is not (' ' or '\t'))
                    continue;
                if (i > start)
                    current.Add(TemplatePart.Text(text[start..i]));
                Flush(words, current);
                if (text[i] == ' ')
                {
                    words.Add(new ContextWord([TemplatePart.Text(" ")], RepeatsPerValue: false));
                    start = i + 1;
                }
                else
                {
                    start = i; // a tab begins the next word and is repeated with it
                }
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
}
