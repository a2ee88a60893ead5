namespace Fanout.Batch;

/// <summary>
/// Packs input arguments into jobs as GNU parallel's <c>-m</c>, <c>-X</c> and <c>--xargs</c> do: each
/// job gets as many arguments as fit on its command line, and the cuts fall where GNU parallel's do.
/// </summary>
/// <remarks>
/// <para>An argument is one combination of the input sources' values (one value per source); a job
/// gets the values of its arguments in a row, which <c>{}</c> inserts all. Render with
/// <see cref="CommandTemplate.WithContextReplacement"/> for <c>-X</c> (a word holding <c>{}</c> is
/// repeated per value), and for <c>-m</c> and <c>--xargs</c> when <c>-N</c> is given too, as GNU
/// parallel does; without it otherwise.</para>
/// <para>A command line is cut before the argument that would make GNU parallel's estimate of its
/// length (<see cref="CommandLineLength"/>) reach <see cref="MaxLength"/>. With spreading
/// (<c>-m</c>, <c>-X</c>), once the input has ended the arguments left for the last command line are
/// spread evenly over the job slots (at most ⌈n / slots⌉ each), so a short input still keeps every
/// slot busy: <c>-j 4 -m echo ::: 1 2 3 4 5 6 7 8 9 10</c> runs 3, 3, 3 and 1 arguments.</para>
/// <para>Positional replacement strings (<c>{2}</c>) are refused: GNU parallel fills them from the
/// first argument only and silently leaves the others out of the command.</para>
/// </remarks>
public sealed class CommandLinePacker
{
    /// <summary>
    /// GNU parallel's default limit on Linux: the longest command line the kernel takes as one
    /// argument (128 KiB), as GNU parallel's search for it ends (130,329), less 3,000, halved.
    /// </summary>
    public const int DefaultMaxLength = 63_664;

    private const int ShownValueLength = 50;

    private readonly CommandTemplate _template;
    private readonly int _jobSlots;
    private readonly bool _spread;
    private readonly int? _maxArguments;
    private readonly Replacement[] _alsoCounted;

    /// <summary>Creates a packer.</summary>
    /// <param name="template">The command template, with context replacement for <c>-X</c>.</param>
    /// <param name="jobSlots">Jobs run at once (<c>-j</c>): what the last arguments are spread over, and the largest <c>{%}</c>.</param>
    /// <param name="spread">True for <c>-m</c> and <c>-X</c>, false for <c>--xargs</c>.</param>
    /// <param name="maxLength">The limit on GNU parallel's estimate of a command line's length (<c>-s</c>), in bytes.</param>
    /// <param name="maxArguments">At most this many arguments per job (<c>-n</c>, <c>-N</c>); null for no limit but the length.</param>
    /// <param name="alsoCounted">Texts whose replacement strings GNU parallel also counts as used: the <c>--tagstring</c>
    /// (<c>{}</c> for <c>--tag</c>); GNU parallel's <c>--bar</c> would add <c>{}</c>.</param>
    /// <exception cref="TemplateException">The template uses a positional replacement string, or it or
    /// <paramref name="alsoCounted"/> uses <c>{##}</c>, <c>{0#}</c> or <c>{0%}</c>.</exception>
    public CommandLinePacker(CommandTemplate template, int jobSlots, bool spread, int maxLength = DefaultMaxLength, int? maxArguments = null, IEnumerable<string>? alsoCounted = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobSlots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (maxArguments is { } most)
            ArgumentOutOfRangeException.ThrowIfLessThan(most, 1, nameof(maxArguments));
        _alsoCounted = [.. (alsoCounted ?? []).SelectMany(text => CommandTemplate.Parse([text], null, template.Plus).Parts).Where(p => p.Literal is null).Select(p => p.Replacement)];
        foreach (var replacement in template.Parts.Where(p => p.Literal is null).Select(p => p.Replacement))
        {
            if (replacement.Position != 0)
            {
                throw new TemplateException(replacement.Word,
                    $"'{replacement.Text}' in the template word '{replacement.Word}' names one value by its position, but a job packed to the line length (-m, -X, --xargs) gets a varying number of arguments. Use {{}} for all of them, or -N n for n arguments per job with {{1}}…{{n}}.");
            }

            RefuseJobCounts(replacement);
        }

        foreach (var replacement in _alsoCounted)
            RefuseJobCounts(replacement);

        _template = template;
        _jobSlots = jobSlots;
        _spread = spread;
        MaxLength = maxLength;
        _maxArguments = maxArguments;
    }

    /// <summary>The limit on a command line's estimated length, in bytes.</summary>
    public int MaxLength { get; }

    /// <summary>Packs the arguments into jobs, lazily; each job's values are the values of its arguments in a row.</summary>
    /// <param name="arguments">The input arguments, such as <see cref="TemplateInput.Arguments"/>.</param>
    /// <returns>Each job's values.</returns>
    /// <exception cref="TemplateException">One argument alone makes a command line too long (thrown while enumerating).</exception>
    public IEnumerable<IReadOnlyList<string>> Pack(IEnumerable<IReadOnlyList<string>> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return PackLazily(arguments);
    }

    private IEnumerable<IReadOnlyList<string>> PackLazily(IEnumerable<IReadOnlyList<string>> arguments)
    {
        var length = new CommandLineLength(_template, _alsoCounted);
        using var input = new Lookahead(arguments.GetEnumerator());
        var line = new List<IReadOnlyList<string>>();
        var maxArguments = _maxArguments;
        var spread = _spread;
        long sequence = 0, packed = 0;
        while (input.HasMore)
        {
            sequence++;
            line.Clear();
            length.Clear();
            var slot = (int)Math.Min(sequence, _jobSlots);
            while (input.TryTake(out var argument))
            {
                line.Add(argument);
                length.Add(argument, sequence, slot);
                if (length.Length >= MaxLength)
                {
                    if (line.Count == 1)
                        throw TooLong(argument, packed + 1, length.Length);
                    input.PutBack(argument);
                    line.RemoveAt(line.Count - 1);
                    break;
                }

                if (line.Count >= maxArguments)
                    break;
            }

            if (spread && !input.HasMore)
            {
                // The input has ended: spread what is left over the job slots, and no later line takes more.
                spread = false;
                var most = (line.Count + _jobSlots - 1) / _jobSlots;
                for (var i = line.Count - 1; i >= most; i--)
                    input.PutBack(line[i]);
                if (line.Count > most)
                    line.RemoveRange(most, line.Count - most);
                maxArguments = most;
            }

            packed += line.Count;
            yield return [.. line.SelectMany(argument => argument)];
        }
    }

    /// <summary>{##}, {0#} and {0%} depend on how many jobs and slots there are, which the packing itself decides.</summary>
    private static void RefuseJobCounts(Replacement replacement)
    {
        if (replacement.Kind is ReplacementKind.TotalJobs or ReplacementKind.PaddedSequence or ReplacementKind.PaddedSlot)
            throw new TemplateException(replacement.Word, $"'{replacement.Text}' in '{replacement.Word}' cannot be used when jobs are packed to the line length (-m, -X, --xargs): use {{#}} and {{%}}.");
    }

    private TemplateException TooLong(IReadOnlyList<string> argument, long ordinal, long length)
    {
        var values = string.Join(' ', argument);
        var shown = values.Length > ShownValueLength ? values[..ShownValueLength] + "…" : values;
        return new TemplateException(shown,
            $"Input argument {ordinal} ('{shown}') alone makes a command line of {length} bytes, which reaches the limit of {MaxLength} (-s). Raise the limit, up to {DefaultMaxLength}, or pass such values another way (a file, --pipe).");
    }

    /// <summary>The arguments, with room to put taken ones back, last first, as GNU parallel's queue has.</summary>
    private sealed class Lookahead(IEnumerator<IReadOnlyList<string>> source) : IDisposable
    {
        private readonly Stack<IReadOnlyList<string>> _putBack = new();
        private IReadOnlyList<string>? _next;
        private bool _ended;

        internal bool HasMore
        {
            get
            {
                if (_putBack.Count > 0 || _next is not null)
                    return true;
                if (_ended)
                    return false;
                if (source.MoveNext())
                {
                    _next = source.Current;
                    return true;
                }

                _ended = true;
                return false;
            }
        }

        internal bool TryTake(out IReadOnlyList<string> argument)
        {
            if (_putBack.TryPop(out argument!))
                return true;
            if (!HasMore)
                return false;
            argument = _next!;
            _next = null;
            return true;
        }

        internal void PutBack(IReadOnlyList<string> argument) => _putBack.Push(argument);

        public void Dispose() => source.Dispose();
    }
}
