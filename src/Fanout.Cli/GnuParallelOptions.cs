using Fanout.Batch;

namespace Fanout.Cli;

/// <summary>
/// GNU parallel's other spellings of the options fanout has, the options that change nothing here,
/// and the ones fanout does not have, with what to do instead: a script written for GNU parallel
/// then either runs as it did or stops with a message that says why, never "unknown option".
/// </summary>
internal static class GnuParallelOptions
{
    /// <summary>GNU parallel's other names for fanout's options, to the name fanout's help shows.</summary>
    private static readonly Dictionary<string, string> Spellings = new(StringComparer.Ordinal)
    {
        ["--maxprocs"] = "--jobs",
        ["--keeporder"] = "--keep-order",
        ["--jl"] = "--joblog",
        ["--result"] = "--results",
        ["--res"] = "--results",
        ["--resumefailed"] = "--resume-failed",
        ["--retryfailed"] = "--retry-failed",
        ["--line-buffered"] = "--line-buffer",
        ["--linebuffer"] = "--line-buffer",
        ["--linebuffered"] = "--line-buffer",
        ["--lb"] = "--line-buffer",
        ["--dryrun"] = "--dry-run",
        ["--dr"] = "--dry-run",
        ["--halt-on-error"] = "--halt",
        ["--haltonerror"] = "--halt",
        ["--work-dir"] = "--workdir",
        ["--wd"] = "--workdir",
        ["--tag-string"] = "--tagstring",
        ["--argfile"] = "--arg-file",
        ["--col-sep"] = "--colsep",
        ["--maxargs"] = "--max-args",
        ["--max-replace-args"] = "-N",
        ["--maxreplaceargs"] = "-N",
        ["--maxchars"] = "--max-chars",
        ["--maxlines"] = "--max-lines",
        ["--blocksize"] = "--block",
        ["--spreadstdin"] = "--pipe",
        ["--pipe-part"] = "--pipepart",
        ["--norunifempty"] = "--no-run-if-empty",
        ["--eof"] = "-E",
        ["--tempdir"] = "--tmpdir",
    };

    /// <summary>Options that change nothing in fanout (they silence GNU parallel's notices, or ask for what fanout does anyway).</summary>
    private static readonly HashSet<string> NoOps = new(StringComparer.Ordinal)
    {
        "--will-cite", "--willcite", "--nn", "--nonotice", "--no-notice", "--group", "-g", "--silent", "--gnu",
    };

    /// <summary>Options that undo an earlier <c>-k</c>.</summary>
    private static readonly HashSet<string> NoKeepOrder = new(StringComparer.Ordinal) { "--no-keep-order", "--nokeeporder", "--nok", "--no-k" };

    /// <summary>GNU parallel's options fanout does not have, grouped by why, with what to do instead.</summary>
    private static readonly (string Why, string[] Options)[] UnsupportedGroups =
    [
        ("fanout runs jobs on this machine, or on a Slurm cluster with --backend slurm; it does not log in to other machines over ssh.",
            ["--sshlogin", "-S", "--sshloginfile", "--slf", "--onall", "--nonall", "--transferfile", "--transfer-file", "--tf", "--transfer",
             "--return", "--trc", "--cleanup", "--basefile", "--bf", "--controlmaster", "-M", "--ssh", "--ssh-delay", "--sshdelay",
             "--filter-hosts", "--hostgroups", "--hgrp"]),
        ("fanout keeps no SQL table; --joblog and --results FILE.csv record every job.", ["--sql", "--sqlmaster", "--sqlworker", "--sqlandworker"]),
        ("the semaphore across separate commands is its own command: fanout sem [--id NAME] [-j N] [--fg] COMMAND, and fanout sem --wait.",
            ["--semaphore", "--fg", "--bg", "--wait", "--id", "--semaphore-name", "--semaphorename", "--semaphore-timeout", "--st"]),
        ("fanout does not run jobs in terminal windows or with a terminal of their own.", ["--tmux", "--tmuxpane", "--tty", "--open-tty", "-o"]),
        ("fanout does not ask before each job; --dry-run shows the commands first.", ["--interactive", "-p"]),
        ("fanout does not run Perl code; see docs/batch-templates.md for the replacement strings it has.", ["--rpl", "--parens"]),
        ("--no-shell runs each command without a shell, which is what quoting the command was for.", ["--quote", "-q"]),
        ("fanout quotes the values it puts into commands itself, as GNU parallel does.", ["--shellquote"]),
        ("--results DIR keeps each job's output in files; --results FILE.csv keeps all of it in one table.", ["--files", "--output-as-files"]),
        ("fanout keeps output in memory, not in temporary files, so there is nothing to compress.", ["--compress", "--compress-program", "--decompress-program"]),
        ("--line-buffer prints each line as it comes.", ["--latest-line", "--ll"]),
        ("output is not coloured; --tag and --tagstring tag it.", ["--ctag", "--ctagstring", "--color", "--colour", "--color-failed"]),
        ("--recend and --recstart are plain text, not regular expressions.", ["--regexp"]),
        ("a block is sent when it is full or the input ends.", ["--block-timeout"]),
        ("use --load or --memfree to hold back job starts.", ["--limit"]),
        ("use --memfree to hold back job starts; running jobs are not suspended.", ["--memsuspend", "--noswap"]),
        ("a stopped job gets SIGTERM, then SIGKILL after --grace seconds.", ["--termseq"]),
        ("fanout reads no profile files; give the options on the command line.", ["--profile", "-J"]),
        ("--env NAME=VALUE sets variables for the jobs; they inherit fanout's environment anyway.", ["--record-env"]),
        ("run 'fanout run -a FILE command' instead of making FILE a script.", ["--shebang"]),
        ("give --header : to take the first line as column names instead.", ["--skip-first-line"]),
        ("--colsep ',' splits values at commas (without CSV's quoting).", ["--csv"]),
        ("fanout is a single executable already.", ["--embed"]),
        ("nproc and lscpu tell the number of processors.", ["--number-of-cpus", "--number-of-cores", "--number-of-threads", "--number-of-sockets"]),
        ($"the longest command line fanout builds is {CommandLinePacker.DefaultMaxLength:N0} bytes, as GNU parallel's; -s sets a shorter one.",
            ["--show-limits", "--max-line-length-allowed"]),
        ("with -m, -X or --xargs each command line is packed to fit -s.", ["--exit", "-x"]),
        ("fanout asks for no citation.", ["--citation", "--bibtex"]),
        ("progress counts the jobs as they are read.", ["--total-jobs", "--total"]),
        ("'fanout --version' tells fanout's version.", ["--version", "-V"]),
    ];

    private static readonly Dictionary<string, string> Unsupported =
        UnsupportedGroups.SelectMany(g => g.Options.Select(o => (o, g.Why))).ToDictionary(p => p.o, p => p.Why, StringComparer.Ordinal);

    /// <summary>The name fanout's help shows for <paramref name="name"/>, or <paramref name="name"/> itself.</summary>
    internal static string Canonical(string name) => Spellings.GetValueOrDefault(name, name);

    /// <summary>True for an option that changes nothing in fanout and is dropped.</summary>
    internal static bool IsNoOp(string name) => NoOps.Contains(name);

    /// <summary>True for an option that undoes an earlier <c>-k</c>.</summary>
    internal static bool UndoesKeepOrder(string name) => NoKeepOrder.Contains(name);

    /// <summary>Why fanout does not have GNU parallel's <paramref name="name"/>, and what to do instead; null when it is not one of GNU parallel's.</summary>
    internal static string? WhyNot(string name) => Unsupported.GetValueOrDefault(name);
}
