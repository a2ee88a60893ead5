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

    private const string Ssh = "fanout runs jobs on this machine, or on a Slurm cluster with --backend slurm; it does not log in to other machines over ssh.";
    private const string Semaphore = "fanout has no semaphore mode across separate commands; bound the jobs of one run with -j, or use the library's SharedSemaphore.";
    private const string Terminal = "fanout does not run jobs in terminal windows or with a terminal of their own.";
    private const string Perl = "fanout does not run Perl code; see docs/batch-templates.md for the replacement strings it has.";

    /// <summary>GNU parallel's options fanout does not have, with why and what to do instead.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["--sshlogin"] = Ssh, ["-S"] = Ssh, ["--sshloginfile"] = Ssh, ["--slf"] = Ssh, ["--onall"] = Ssh, ["--nonall"] = Ssh,
        ["--transferfile"] = Ssh, ["--transfer-file"] = Ssh, ["--tf"] = Ssh, ["--transfer"] = Ssh, ["--return"] = Ssh, ["--trc"] = Ssh,
        ["--cleanup"] = Ssh, ["--basefile"] = Ssh, ["--bf"] = Ssh, ["--controlmaster"] = Ssh, ["-M"] = Ssh, ["--ssh"] = Ssh,
        ["--ssh-delay"] = Ssh, ["--sshdelay"] = Ssh, ["--filter-hosts"] = Ssh, ["--hostgroups"] = Ssh, ["--hgrp"] = Ssh,
        ["--sql"] = "fanout keeps no SQL table; --joblog and --results FILE.csv record every job.",
        ["--sqlmaster"] = "fanout keeps no SQL table; --joblog and --results FILE.csv record every job.",
        ["--sqlworker"] = "fanout keeps no SQL table; --joblog and --results FILE.csv record every job.",
        ["--sqlandworker"] = "fanout keeps no SQL table; --joblog and --results FILE.csv record every job.",
        ["--semaphore"] = Semaphore, ["--fg"] = Semaphore, ["--bg"] = Semaphore, ["--wait"] = Semaphore, ["--id"] = Semaphore,
        ["--semaphore-name"] = Semaphore, ["--semaphorename"] = Semaphore, ["--semaphore-timeout"] = Semaphore, ["--st"] = Semaphore,
        ["--tmux"] = Terminal, ["--tmuxpane"] = Terminal, ["--tty"] = Terminal, ["--open-tty"] = Terminal, ["-o"] = Terminal,
        ["--interactive"] = "fanout does not ask before each job; --dry-run shows the commands first.",
        ["-p"] = "fanout does not ask before each job; --dry-run shows the commands first.",
        ["--rpl"] = Perl, ["--parens"] = Perl,
        ["--quote"] = "--no-shell runs each command without a shell, which is what quoting the command was for.",
        ["-q"] = "--no-shell runs each command without a shell, which is what quoting the command was for.",
        ["--shellquote"] = "fanout quotes the values it puts into commands itself, as GNU parallel does.",
        ["--files"] = "--results DIR keeps each job's output in files; --results FILE.csv keeps all of it in one table.",
        ["--output-as-files"] = "--results DIR keeps each job's output in files; --results FILE.csv keeps all of it in one table.",
        ["--compress"] = "fanout keeps output in memory, not in temporary files, so there is nothing to compress.",
        ["--compress-program"] = "fanout keeps output in memory, not in temporary files, so there is nothing to compress.",
        ["--decompress-program"] = "fanout keeps output in memory, not in temporary files, so there is nothing to compress.",
        ["--latest-line"] = "--line-buffer prints each line as it comes.", ["--ll"] = "--line-buffer prints each line as it comes.",
        ["--ctag"] = "use --tag; output is not coloured.", ["--ctagstring"] = "use --tagstring; output is not coloured.",
        ["--color"] = "output is not coloured.", ["--colour"] = "output is not coloured.", ["--color-failed"] = "output is not coloured.",
        ["--round-robin"] = "with --pipe each block starts its own job, in order.",
        ["--shard"] = "--pipe cuts by size, count or record start, not by a column's value.",
        ["--bin"] = "--pipe cuts by size, count or record start, not by a column's value.",
        ["--group-by"] = "--pipe cuts by size, count or record start, not by a column's value.",
        ["--regexp"] = "--recend and --recstart are plain text, not regular expressions.",
        ["--remove-rec-sep"] = "blocks keep their record ends and starts.", ["--rrs"] = "blocks keep their record ends and starts.",
        ["--block-timeout"] = "a block is sent when it is full or the input ends.",
        ["--limit"] = "use --load or --memfree to hold back job starts.",
        ["--memsuspend"] = "use --memfree to hold back job starts; running jobs are not suspended.",
        ["--noswap"] = "use --memfree to hold back job starts while memory is short.",
        ["--termseq"] = "a stopped job gets SIGTERM, then SIGKILL after --grace seconds.",
        ["--profile"] = "fanout reads no profile files; give the options on the command line.", ["-J"] = "fanout reads no profile files; give the options on the command line.",
        ["--record-env"] = "--env NAME=VALUE sets variables for the jobs; they inherit fanout's environment anyway.",
        ["--shebang"] = "run 'fanout run -a FILE command' instead of making FILE a script.",
        ["--skip-first-line"] = "give --header : to take the first line as column names instead.",
        ["--csv"] = "--colsep ',' splits values at commas (without CSV's quoting).",
        ["--embed"] = "fanout is a single executable already.",
        ["--number-of-cpus"] = "nproc tells the number of processors.", ["--number-of-cores"] = "nproc tells the number of processors.",
        ["--number-of-threads"] = "nproc tells the number of processors.", ["--number-of-sockets"] = "lscpu tells the number of sockets.",
        ["--show-limits"] = "the longest command line fanout builds is 63,664 bytes, as GNU parallel's; -s sets a shorter one.",
        ["--max-line-length-allowed"] = "the longest command line fanout builds is 63,664 bytes, as GNU parallel's; -s sets a shorter one.",
        ["--exit"] = "with -m, -X or --xargs each command line is packed to fit -s.", ["-x"] = "with -m, -X or --xargs each command line is packed to fit -s.",
        ["--citation"] = "fanout asks for no citation.", ["--bibtex"] = "fanout asks for no citation.",
        ["--total-jobs"] = "progress counts the jobs as they are read.", ["--total"] = "progress counts the jobs as they are read.",
        ["--version"] = "'fanout --version' tells fanout's version.", ["-V"] = "'fanout --version' tells fanout's version.",
    };

    /// <summary>The name fanout's help shows for <paramref name="name"/>, or <paramref name="name"/> itself.</summary>
    internal static string Canonical(string name) => Spellings.GetValueOrDefault(name, name);

    /// <summary>True for an option that changes nothing in fanout and is dropped.</summary>
    internal static bool IsNoOp(string name) => NoOps.Contains(name);

    /// <summary>True for an option that undoes an earlier <c>-k</c>.</summary>
    internal static bool UndoesKeepOrder(string name) => NoKeepOrder.Contains(name);

    /// <summary>Why fanout does not have GNU parallel's <paramref name="name"/>, and what to do instead; null when it is not one of GNU parallel's.</summary>
    internal static string? WhyNot(string name) => Unsupported.GetValueOrDefault(name);
}
