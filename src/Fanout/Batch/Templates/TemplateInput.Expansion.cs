namespace Fanout.Batch;

public sealed partial class TemplateInput
{
    /// <summary>
    /// Each job's input values, one per source in the sources' order, produced lazily: crossed
    /// groups vary like nested loops (the first slowest), linked sources advance together and stop
    /// with the shortest. Each list is new and may be kept.
    /// </summary>
    /// <remarks>
    /// As in GNU parallel, an input file without lines counts as one empty value when another
    /// source has values (<c>::: a b :::: empty</c> gives the jobs <c>a ''</c> and <c>b ''</c>), and
    /// there is no job when every source is empty. A source reading standard input is consumed by
    /// the first enumeration.
    /// </remarks>
    /// <returns>The values of every job in GNU parallel's order; nothing when there is no source.</returns>
    /// <exception cref="TemplateException">An input file cannot be read (thrown while enumerating).</exception>
    public IEnumerable<IReadOnlyList<string>> Arguments()
    {
        var each = _groups.Length == 0 ? [] : _linkAll ? Wrapped() : Cross(0, new string?[SourceCount], 0);
        if (_shuffle is { } random)
            each = Shuffle(each, random);
        return _argumentsPerJob is { } count ? InGroupsOf(each, count) : each;
    }

    /// <summary>Every argument, read when the first is asked for, in a random order.</summary>
    private static IEnumerable<IReadOnlyList<string>> Shuffle(IEnumerable<IReadOnlyList<string>> arguments, Random random)
    {
        var all = arguments.ToArray();
        random.Shuffle(all);
        foreach (var argument in all)
            yield return argument;
    }

    /// <summary>Joins <paramref name="count"/> arguments in a row into one job's values (none for 0).</summary>
    private static IEnumerable<IReadOnlyList<string>> InGroupsOf(IEnumerable<IReadOnlyList<string>> arguments, int count)
    {
        if (count == 0)
        {
            foreach (var _ in arguments)
                yield return [];
            yield break;
        }

        var values = new List<string>();
        var taken = 0;
        foreach (var argument in arguments)
        {
            values.AddRange(argument);
            if (++taken < count)
                continue;
            yield return values;
            values = [];
            taken = 0;
        }

        if (taken > 0)
            yield return values;
    }

    /// <summary>
    /// Nested loops over the groups. <paramref name="current"/> holds the values chosen so far; null
    /// stands for the empty value given in place of an empty source.
    /// </summary>
    private IEnumerable<IReadOnlyList<string>> Cross(int group, string?[] current, int offset)
    {
        var sources = _groups[group];
        var last = group == _groups.Length - 1;
        foreach (var _ in Rows(sources, current, offset))
        {
            if (!last)
            {
                foreach (var values in Cross(group + 1, current, offset + sources.Length))
                    yield return values;
                continue;
            }

            // Only when every source is empty is every value a stand-in: then there is no job.
            if (Array.TrueForAll(current, v => v is null))
                yield break;
            var job = new string[current.Length];
            for (var i = 0; i < job.Length; i++)
                job[i] = current[i] ?? "";
            yield return job;
        }
    }

    /// <summary>GNU parallel's --link: the nth value of every source, a shorter source wrapping around, until the longest ends.</summary>
    private IEnumerable<IReadOnlyList<string>> Wrapped()
    {
        var values = _groups.SelectMany(g => g).Select(s => OrStandIn(s.Values()).ToArray()).ToArray();
        if (Array.TrueForAll(values, v => v is [null]))
            yield break;
        var count = values.Max(v => v.Length);
        for (var i = 0; i < count; i++)
        {
            var job = new string[values.Length];
            for (var s = 0; s < job.Length; s++)
                job[s] = values[s][i % values[s].Length] ?? "";
            yield return job;
        }
    }

    /// <summary>Advances the linked <paramref name="sources"/> together, writing each row into <paramref name="current"/>.</summary>
    private static IEnumerable<bool> Rows(InputSource[] sources, string?[] current, int offset)
    {
        var cursors = new IEnumerator<string?>[sources.Length];
        try
        {
            for (var s = 0; s < sources.Length; s++)
                cursors[s] = OrStandIn(sources[s].Values()).GetEnumerator();
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

    /// <summary>The values, or a single null standing in for the empty value when there are none.</summary>
    private static IEnumerable<string?> OrStandIn(IEnumerable<string> values)
    {
        var any = false;
        foreach (var value in values)
        {
            any = true;
            yield return value;
        }

        if (!any)
            yield return null;
    }
}
