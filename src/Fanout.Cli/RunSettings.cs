using Fanout.Batch;

namespace Fanout.Cli;

/// <summary>What `fanout run` was asked to do, once its command line is read.</summary>
internal sealed record RunSettings
{
    public required BatchOptions Batch { get; init; }

    public required IReadOnlyList<string> CommandWords { get; init; }

    public string? ArgumentFile { get; init; }

    /// <summary>--results FILE.csv, .tsv or .json: the results table; -.csv (and so on) for stdout. Null for none or a results folder.</summary>
    public string? ResultsTablePath { get; init; }

    /// <summary>--results -.csv (or -.tsv, -.json): the table is fanout's stdout, and the jobs' output is not printed.</summary>
    public bool ResultsTableOnStdout => ResultsTablePath is ['-', '.', ..];

    /// <summary>--colsep and --trim; null when neither was given.</summary>
    public InputColumns? Columns { get; init; }

    /// <summary>--header :: the first value of every input source names its columns.</summary>
    public bool Header { get; init; }

    /// <summary>--plus: GNU parallel's extra replacement strings ({..}, {+/}, {##}…).</summary>
    public bool Plus { get; init; }

    /// <summary>--arg-sep, --arg-file-sep, -0, -d, -E and -r: the input source markers, what ends a value, which values are skipped.</summary>
    public TemplateInputOptions InputOptions { get; init; } = TemplateInputOptions.Default;

    /// <summary>--retry-failed: the jobs are the failed commands of the job log.</summary>
    public bool RetryFailed { get; init; }

    /// <summary>--pipe: how standard input is cut into one block per job; null without --pipe.</summary>
    public InputBlocks? Blocks { get; init; }

    /// <summary>--pipe --tee: every job, one per input value, gets all of standard input.</summary>
    public bool Tee { get; init; }

    /// <summary>--round-robin: with --pipe, at most -j jobs share the blocks out as they come.</summary>
    public bool RoundRobin { get; init; }

    /// <summary>--shard or --bin: with --pipe, -j jobs each get the lines their column's value sends them; null without.</summary>
    public (LineColumn Column, ShardRule Rule)? Sharding { get; init; }

    /// <summary>--cat or --fifo: how each --pipe block reaches its job; its stdin by default.</summary>
    public InputDelivery BlockDelivery { get; init; }

    /// <summary>-N / --max-args: input arguments per job; null for one each.</summary>
    public int? ArgumentsPerJob { get; init; }

    /// <summary>-m, -X or --xargs: each job gets as many input arguments as fit on its command line; null without.</summary>
    public ArgumentPacking? Packing { get; init; }

    /// <summary>-N (not -n) or -X: a template word holding {} is repeated for each value, as GNU parallel does.</summary>
    public bool ContextReplacement { get; init; }

    public bool KeepOrder { get; init; }

    public bool DryRun { get; init; }

    /// <summary>-I, --er, --bnr, --dnr, --bner, --seqreplace, --slotreplace: the basic replacement strings renamed; null for GNU parallel's.</summary>
    public ReplacementStrings? Strings { get; init; }

    /// <summary>--link: every input source linked, the shorter ones wrapping around.</summary>
    public bool Link { get; init; }

    /// <summary>--shuf: the jobs run in a random order.</summary>
    public bool Shuffle { get; init; }

    /// <summary>--nice N: the jobs run under nice -n N; null to keep fanout's priority.</summary>
    public int? Niceness { get; init; }

    /// <summary>-t / --verbose: each command line goes to stderr as its job starts.</summary>
    public bool Verbose { get; init; }

    public bool UseShell { get; init; } = true;

    /// <summary>--tag or --tagstring: prefix output lines with a tag and a tab.</summary>
    public bool Tag { get; init; }

    /// <summary>--tagstring: the tag, with replacement strings; null for the job's values.</summary>
    public string? TagString { get; init; }

    public bool Json { get; init; }

    public bool Quiet { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>True when -j (in any spelling) was given: it then wins over a manifest's <c>parallel:</c>.</summary>
    public bool JobsGiven { get; init; }

    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The Slurm settings when the jobs go to Slurm; null for local processes.</summary>
    public SlurmOptions? Slurm { get; init; }
}
