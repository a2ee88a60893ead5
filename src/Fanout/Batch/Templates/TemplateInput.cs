using System.Collections.Immutable;
using System.Text;

namespace Fanout.Batch;

/// <summary>
/// The words of <c>fanout run</c> after its options, split into the command template words and
/// GNU parallel's input sources, which it expands lazily into each job's values.
/// </summary>
/// <remarks>
/// <para>Input sources, each a group of words after a marker:</para>
/// <list type="bullet">
/// <item><c>::: a b c</c> — the values given (one source).</item>
/// <item><c>:::: file1 file2</c> — one source per file, one value per line; <c>-</c> is standard input.</item>
/// <item><c>:::+ …</c>, <c>::::+ …</c> — linked to the previous source: paired element by element
/// (the shortest source sets the length) rather than crossed.</item>
/// </list>
/// <para>Unlinked sources are crossed: every combination, the first source varying slowest, as GNU
/// parallel orders them. Each job's values are listed in the sources' order on the command line,
/// which is what <c>{1}</c>, <c>{2}</c>… refer to.</para>
/// <para>Nothing is read ahead: files are read line by line as <see cref="Arguments"/> is enumerated,
/// the first source once and later (inner) sources once per combination of the sources before them.
/// Only standard input used as an inner source is kept in memory, since it cannot be read twice.</para>
/// </remarks>
/// <example>
/// <code>
/// var input = TemplateInput.Parse(["gzip", "{}", ":::", "a.txt", "b.txt", ":::", "-1", "-9"]);
/// var template = CommandTemplate.Parse(input.CommandWords);
/// long seq = 0;
/// foreach (var values in input.Arguments())
///     Console.WriteLine(template.Render(values, ++seq, slot: 1));   // gzip a.txt -1, gzip a.txt -9, …
/// </code>
/// </example>
public sealed partial class TemplateInput
{
    /// <summary>The file name that stands for standard input after <c>::::</c>.</summary>
    public const string StandardInput = "-";

    // Groups of linked sources; the groups are crossed. Sources are in command-line order.
    private readonly InputSource[][] _groups;
    private readonly TemplateInputOptions _options;

    // GNU parallel's -N: how many of the sources' combinations make one job; null for one each.
    private readonly int? _argumentsPerJob;

    // GNU parallel's --shuf: the combinations in a random order, before they are grouped; null to keep the order.
    private Random? _shuffle;

    // GNU parallel's --link: every source linked, the shorter ones wrapping around.
    private bool _linkAll;

    private TemplateInput(IReadOnlyList<string> commandWords, InputSource[][] groups, TemplateInputOptions options, int? argumentsPerJob = null)
    {
        CommandWords = commandWords;
        _groups = groups;
        _options = options;
        _argumentsPerJob = argumentsPerJob;
        SourceCount = groups.Sum(g => g.Length);
    }

    /// <summary>The command template words: every word before the first input source marker.</summary>
    public IReadOnlyList<string> CommandWords { get; }

    /// <summary>
    /// True when at least one input source was given. When none was, GNU parallel reads the values
    /// from standard input; <see cref="OrStandardInput"/> does the same.
    /// </summary>
    public bool HasSources => SourceCount > 0;

    /// <summary>The number of input sources.</summary>
    public int SourceCount { get; }

    /// <summary>
    /// The most values a job gets, which is what <c>{1}</c>…<c>{n}</c> can name: one per input
    /// source, times the arguments per job after <see cref="WithArgumentsPerJob"/>.
    /// </summary>
    public int ValuesPerJob => (int)Math.Min(int.MaxValue, (long)SourceCount * (_argumentsPerJob ?? 1));

    /// <summary>Splits the words into the command template and the input sources.</summary>
    /// <param name="words">The <c>fanout run</c> words after its options.</param>
    /// <param name="openFile">Opens a file named after <c>::::</c>, given the name as written
    /// (including <c>-</c>); by default a UTF-8 file or, for <c>-</c>, standard input. Files are
    /// opened here once to check that they can be read, then again when enumerated.</param>
    /// <param name="options">The markers, what ends each value in an input file (a newline, or NUL
    /// for file names that may hold newlines: GNU parallel's <c>-0</c>, the output of
    /// <c>find -print0</c>), and which values are skipped; GNU parallel's defaults when null.</param>
    /// <returns>The parsed input.</returns>
    /// <exception cref="TemplateException">A marker is followed by no value, an input file cannot
    /// be read, standard input is named twice, or the two markers cannot be told apart.</exception>
    public static TemplateInput Parse(IReadOnlyList<string> words, Func<string, TextReader>? openFile = null, TemplateInputOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(words);
        openFile ??= OpenDefault;
        options ??= TemplateInputOptions.Default;
        options.ThrowIfMarkersAmbiguous();

        var first = 0;
        while (first < words.Count && !options.IsMarker(words[first]))
            first++;

        var groups = new List<List<InputSource>>();
        var readsStandardInput = false;
        var i = first;
        while (i < words.Count)
        {
            var marker = words[i];
            var (files, linking) = options.MarkerKind(marker)!.Value;
            var start = ++i;
            while (i < words.Count && !options.IsMarker(words[i]))
                i++;
            if (i == start)
            {
                var next = i < words.Count ? $"the next '{words[i]}'" : "the end of the command line";
                throw new TemplateException(marker,
                    $"The input source marker '{marker}' (word {start}) is followed by no value before {next}; give at least one {(files ? "file" : "value")}.");
            }

            // A linked marker joins its source(s) to the previous source's group, when there is one;
            // every ::::+ file is linked (GNU parallel's ::::+ f1 f2 pairs f1 and f2 with what came before).
            if (!files)
            {
                AddSource(groups, new LiteralSource([.. options.Filter(words.Skip(start).Take(i - start))]), linking && groups.Count > 0);
                continue;
            }

            for (var f = start; f < i; f++)
            {
                var name = words[f];
                if (name == StandardInput)
                {
                    if (readsStandardInput)
                        throw new TemplateException(name, $"Standard input ('{StandardInput}' after '{marker}') can be an input source only once.");
                    readsStandardInput = true;
                }
                else
                {
                    FileSource.Open(name, marker, openFile).Dispose();
                }

                // Only the first group is read once; standard input in a later group must be replayed.
                var linked = linking && groups.Count > 0;
                var inFirstGroup = groups.Count == 0 || (linked && groups.Count == 1);
                AddSource(groups, new FileSource(name, marker, openFile, replayed: name == StandardInput && !inFirstGroup, options), linked);
            }
        }

        return new TemplateInput(ImmutableArray.CreateRange(words.Take(first)), [.. groups.Select(g => g.ToArray())], options);
    }

    /// <summary>
    /// This input when it has sources; otherwise the same command words with standard input as the
    /// one source (<c>:::: -</c>), which is what GNU parallel reads when given no input source.
    /// </summary>
    /// <param name="openFile">Opens standard input (called with <c>-</c>); by default the process's standard input.</param>
    /// <returns>An input with at least one source.</returns>
    public TemplateInput OrStandardInput(Func<string, TextReader>? openFile = null) =>
        HasSources ? this : new TemplateInput(CommandWords, [[new FileSource(StandardInput, _options.FilesMarker, openFile ?? OpenDefault, replayed: false, _options)]], _options, _argumentsPerJob) { _shuffle = _shuffle, _linkAll = _linkAll };

    /// <summary>
    /// This input with <paramref name="count"/> arguments per job, as GNU parallel's <c>-N</c> (and
    /// <c>-n</c>) gives: an argument is one combination of the sources' values, and each job gets
    /// the values of <paramref name="count"/> arguments in a row, flattened, so that <c>{1}</c>…
    /// <c>{n}</c> number them on (with two sources, <c>{3}</c> is the second argument's first value)
    /// and <c>{}</c> inserts them all. The last job may get fewer; render with
    /// <see cref="CommandTemplate.WithMissingPositionsEmpty"/>, as GNU parallel leaves the missing
    /// ones empty. With 0, every argument still makes a job, which gets no values at all.
    /// </summary>
    /// <param name="count">Arguments per job, 0 or more.</param>
    /// <returns>The grouped input.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public TemplateInput WithArgumentsPerJob(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new(CommandWords, _groups, _options, count) { _shuffle = _shuffle, _linkAll = _linkAll };
    }

    /// <summary>
    /// This input with its arguments (the sources' combinations) in a random order, as GNU parallel's
    /// <c>--shuf</c> gives them: every argument is read first, then shuffled, and only then grouped
    /// by <see cref="WithArgumentsPerJob"/>, so a job of several arguments gets a random set.
    /// </summary>
    /// <param name="random">The source of randomness.</param>
    /// <returns>The shuffled input.</returns>
    public TemplateInput Shuffled(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new(CommandWords, _groups, _options, _argumentsPerJob) { _shuffle = random, _linkAll = _linkAll };
    }

    /// <summary>
    /// This input with the first value of every source taken as its header (GNU parallel's
    /// <c>--header :</c>): the first line of a file, the first value after <c>:::</c>. Headers are
    /// not jobs' values; <see cref="Headers"/> gives them once <see cref="Arguments"/> has produced
    /// its first job, to name columns in the template (<see cref="CommandTemplate.Parse(IReadOnlyList{string}, IReadOnlyList{string}?)"/>).
    /// </summary>
    /// <returns>An input whose sources each begin with a header.</returns>
    public TemplateInput WithHeaders() =>
        new(CommandWords, [.. _groups.Select(g => g.Select(s => (InputSource)(s as HeaderedSource ?? new HeaderedSource(s))).ToArray())], _options, _argumentsPerJob) { _shuffle = _shuffle, _linkAll = _linkAll };

    /// <summary>
    /// This input with every source linked, as GNU parallel's <c>--link</c> (<c>--xapply</c>) links
    /// them: the nth job gets the nth value of each source, and a shorter source starts over from
    /// its first value, so there are as many jobs as the longest source has values (<c>:::+</c>
    /// stops with the shortest instead). Every source is read before the first job; an empty one
    /// gives one empty value, as it does when crossed.
    /// </summary>
    /// <returns>The linked input.</returns>
    public TemplateInput WithLinkedSources() =>
        new(CommandWords, _groups, _options, _argumentsPerJob) { _shuffle = _shuffle, _linkAll = true };

    /// <summary>
    /// Each source's header, in the sources' order, after <see cref="WithHeaders"/>: null for a
    /// source not read yet or without any value, and for every source of an input without headers.
    /// </summary>
    public IReadOnlyList<string?> Headers => [.. _groups.SelectMany(g => g).Select(s => (s as HeaderedSource)?.Header)];

    /// <summary>True for the words that start an input source by default: <c>:::</c>, <c>::::</c>, <c>:::+</c> and <c>::::+</c>.</summary>
    /// <param name="word">A word of the command line.</param>
    /// <returns>Whether the word is an input source marker.</returns>
    public static bool IsMarker(string word) => TemplateInputOptions.Default.IsMarker(word);

    private static void AddSource(List<List<InputSource>> groups, InputSource source, bool linked)
    {
        if (linked)
            groups[^1].Add(source);
        else
            groups.Add([source]);
    }

    private static StreamReader OpenDefault(string name) =>
        name == StandardInput
            ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: false)
            : new StreamReader(name, Encoding.UTF8, detectEncodingFromByteOrderMarks: false,
                new FileStreamOptions { Options = FileOptions.SequentialScan, BufferSize = 64 * 1024 });
}
