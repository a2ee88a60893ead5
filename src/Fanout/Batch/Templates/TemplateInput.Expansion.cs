namespace Fanout.Batch;

public sealed partial class TemplateInput
{
    /// <summary>
    /// Each job's input values, one per source in the sources' order, produced lazily: crossed
    /// groups vary like nested loops (the first slowest), linked sources advance together and stop
    /// with the shortest. Each list is new and may be kept.
    /// </summary>
    /// <returns>The values of every job in GNU parallel's order; nothing when there is no source.</returns>
    /// <exception cref="TemplateException">An input file cannot be read (thrown while enumerating).</exception>
    /// <remarks>A source reading standard input is consumed by the first enumeration.</remarks>
    public IEnumerable<IReadOnlyList<string>> Arguments() =>
        _groups.Length == 0 ? [] : Cross(0, new string[SourceCount], 0);

    private IEnumerable<IReadOnlyList<string>> Cross(int group, string[] current, int offset)
    {
        var sources = _groups[group];
        var last = group == _groups.Length - 1;
        foreach (var _ in Rows(sources, current, offset))
        {
            if (last)
            {
                yield return (string[])current.Clone();
                continue;
            }

            foreach (var values in Cross(group + 1, current, offset + sources.Length))
                yield return values;
        }
    }

    /// <summary>Advances the linked <paramref name="sources"/> together, writing each row into <paramref name="current"/>.</summary>
    private static IEnumerable<bool> Rows(InputSource[] sources, string[] current, int offset)
    {
        var cursors = new IEnumerator<string>[sources.Length];
        try
        {
            for (var s = 0; s < sources.Length; s++)
                cursors[s] = sources[s].Values().GetEnumerator();
            while (true)
            {
                for (var s = 0; s < sources.Length; s++)
                {
                    if (!cursors[s].MoveNext())
                        yield break;
                    current[offset + s] = cursors[s].Current;
                }

                yield return true;
            }
        }
        finally
        {
            foreach (var cursor in cursors)
                cursor?.Dispose();
        }
    }
}
