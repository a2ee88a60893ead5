using System.CommandLine;
using System.Globalization;
using Fanout.Batch;

namespace Fanout.Cli;

/// <summary>
/// The options of <c>fanout run</c>. As in GNU parallel, options come first and the first word
/// that is not an option starts the command template, so <c>fanout run -j 4 grep -c x {} ::: *.txt</c>
/// passes <c>-c</c> to grep. The options part is parsed (and documented) by System.CommandLine.
/// </summary>
internal sealed partial class RunCommandLine
{
    internal const string Examples = """
        Examples:
          fanout run -j 8 gzip -9 {} ::: *.fastq            compress files, 8 at a time
          fanout run -k echo {1}-{2} ::: a b ::: 1 2        a-1 a-2 b-1 b-2, in order
          fanout run -a samples.txt sh align.sh {}          one job per line of samples.txt
          fanout run --colsep '\t' align.sh {1} {2} {3} :::: sheet.tsv   one job per row, a column each
          fanout run < commands.txt                         one job per command line
          fanout run --joblog log.tsv --resume-failed < commands.txt
          fanout run samples/pipeline/batch.yaml            a manifest with groups, dependencies and a final step
        """;

    private readonly Option<string> _jobs = new("--jobs", "-j", "--max-procs", "-P") { Description = "Jobs at once: N, N% of the cores, or 0 for as many as there are jobs. Default: the number of cores." };
    private readonly Option<bool> _keepOrder = new("--keep-order", "-k") { Description = "Print each job's output in input order, not completion order." };
    private readonly Option<string> _timeout = new("--timeout") { Description = "Stop a job after this many seconds, or after N% of the median runtime of the jobs that succeeded (e.g. 200%)." };
    private readonly Option<int> _retries = new("--retries") { Description = "Run a failed job again up to N more times, waiting longer each time." };
    private readonly Option<double> _retryDelay = new("--retry-delay") { Description = "Seconds before the first retry (doubling after). Default 0.5." };
    private readonly Option<string> _halt = new("--halt") { Description = "Stop early: never, or soon / now with fail=N, success=N or done=N (N or N%), such as now,fail=1; GNU parallel's 0, 1, 2, -1, -2 work too." };
    private readonly Option<string> _joblog = new("--joblog") { Description = "Append a line per finished job to this file (GNU parallel's columns, then MaxRSS, CPU, Attempts, Id); +FILE, GNU parallel's way to ask for appending, is the same." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Skip the jobs the job log shows finished (matched by command)." };
    private readonly Option<bool> _resumeFailed = new("--resume-failed") { Description = "Skip the jobs the job log shows succeeded; run the failed and unfinished ones." };
    private readonly Option<bool> _retryFailed = new("--retry-failed") { Description = "Run again the commands the --joblog shows failed (and never succeeded), read from the job log alone: give no command or input." };
    private readonly Option<string> _results = new("--results") { Description = "Write each job's stdout, stderr and status.json into DIR/<job id>/; or, for a name ending in .csv, .tsv or .json, one table of every job's record, values and output, as GNU parallel writes it (-.csv: to stdout, instead of the output)." };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Print the commands that would run, and run nothing." };
    private readonly Option<bool> _verbose = new("--verbose", "-t") { Description = "Print each command line on stderr as its job starts." };
    private readonly Option<int?> _nice = new("--nice") { Description = "Run the jobs at this lower CPU priority, 0 to 19 (nice -n N), to spare the other users of a shared machine." };
    private readonly Option<bool> _link = new("--link", "--xapply") { Description = "Link the input sources: the nth job gets the nth value of each, a shorter source starting over (:::+ links two and stops with the shorter)." };
    private readonly Option<bool> _shuffle = new("--shuf") { Description = "Run the jobs in a random order (all input is read first); {#} numbers them in that order." };
    private readonly Option<bool> _noShell = new("--no-shell") { Description = "Run commands directly, split into words, without /bin/sh (no pipes, variables or globs)." };
    private readonly Option<string[]> _env = new("--env") { Description = "Set NAME=VALUE for every job (repeatable); --env NAME passes on fanout's own NAME, as GNU parallel's does.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _workdir = new("--workdir") { Description = "Run the jobs in this directory." };
    private readonly Option<bool> _tag = new("--tag") { Description = "Prefix each output line with the job's arguments and a tab." };
    private readonly Option<string> _tagString = new("--tagstring") { Description = "Prefix each output line with this text and a tab; replacement strings such as {}, {1} and {#} are filled in, unquoted." };
    private readonly Option<bool> _lineBuffer = new("--line-buffer") { Description = "Print output lines as they come (whole lines, never mixed mid-line) instead of each job's output at its end." };
    private readonly Option<bool> _ungroup = new("--ungroup", "-u") { Description = "Let jobs write straight to fanout's stdout and stderr, uncaptured: output appears at once, but lines of jobs running together may mix." };
    private readonly Option<bool> _json = new("--json") { Description = "Write JSON lines: one event per finished job (with its output) and a summary." };
    private readonly Option<string> _memfree = new("--memfree") { Description = "Start a job only while this much memory is available (e.g. 2G)." };
    private readonly Option<double> _load = new("--load") { Description = "Start a job only while the one-minute load average is below this." };
    private readonly Option<string> _argFile = new("--arg-file", "-a") { Description = "Read input values (with a template) or command lines (without) from this file instead of stdin." };
    private readonly Option<string> _colsep = new("--colsep", "-C") { Description = "Split each input value into columns at this regular expression (such as '\\t' or ','): {1}, {2}… are then the columns, numbered on across input sources." };
    private readonly Option<string> _trim = new("--trim") { Description = "Trim white space from input values: n (nothing), l (the start), r (the end) or lr (both). Default: lr with --colsep, else n." };
    private readonly Option<string> _header = new("--header") { Description = "':' takes the first line of each input file (the first value after :::) as column names: {name} is then that column, with {name.} {name/} {name//} {name/.} alike." };
    private readonly Option<bool> _null = new("--null", "-0") { Description = "Input values and command lines end with NUL instead of a newline (file names from find -print0)." };
    private readonly Option<string> _delimiter = new("--delimiter", "-d") { Description = "Input values and command lines end with this text instead of a newline; \\n, \\t, \\r and octal \\0 or \\012 are escapes (as GNU parallel reads them). Values after ::: are not cut." };
    private readonly Option<string> _endOfInput = new("-E") { Description = "Stop reading an input source at this value: it and the rest of that file (or of that ::: list) are ignored." };
    private readonly Option<bool> _noRunIfEmpty = new("--no-run-if-empty", "-r") { Description = "Skip input values (and command lines) that are empty or only white space; with --pipe, drop blank lines and run no job on a block left empty." };
    private readonly Option<string> _argSep = new("--arg-sep", "--argsep") { Description = "Use this word instead of ::: to start a list of values (and it with + to link one)." };
    private readonly Option<string> _argFileSep = new("--arg-file-sep", "--argfilesep") { Description = "Use this word instead of :::: to start a list of input files (and it with + to link one)." };
    private readonly Option<int?> _argumentsPerJob = new("-N") { Description = "Give each job N input arguments (N values of every source) instead of one: {1}…{n} number them on, a word holding {} is repeated for each (x{}y: xay xby), the last job may get fewer. -N 0 runs a job per argument without inserting it." };
    private readonly Option<int?> _maxArgs = new("--max-args", "-n") { Description = "At most N input arguments per job, as -N, but {} inserts them all inside one word (x{}y: xa by)." };
    private readonly Option<bool> _multiple = new("-m") { Description = "Give each job as many input arguments as fit on its command line (as xargs does), {} inserting them all; the arguments left when the input ends are spread evenly over the job slots." };
    private readonly Option<bool> _contextMultiple = new("-X") { Description = "As -m, but a word holding {} is repeated for each value (x{}y: xay xby)." };
    private readonly Option<bool> _xargs = new("--xargs") { Description = "As -m, without spreading the last arguments over the job slots." };
    private readonly Option<int?> _maxChars = new("--max-chars", "-s") { Description = "With -m, -X or --xargs: the longest command line in bytes, as GNU parallel estimates it (its cuts fall in the same places). Default and most: 63664." };
    private readonly Option<bool> _plus = new("--plus") { Description = "GNU parallel's extra replacement strings: {..} {...} {/..} {/...} {+/} {+.} {+..} {+...} (and {n..} for source n), {##} the number of jobs, {0#} and {0%} zero-padded, {slot}, {choose_k}, {uniq}, and the edits {:-x} {:n} {:n:m} {#re} {##re} {%re} {%%re} {/re/s} {//re/s} {/#re/s} {/%re/s} {^re} {^^re} {,re} {,,re}." };
    private readonly Option<string> _replace = new("-I") { Description = "Use this text instead of {} for the value (as xargs -I): -I % makes 'mv % %.bak'. The other strings keep theirs." };
    private readonly Option<string> _extensionReplace = new("--extensionreplace", "--er") { Description = "Use this text instead of {.} (the value without extension)." };
    private readonly Option<string> _basenameReplace = new("--basenamereplace", "--bnr") { Description = "Use this text instead of {/} (the base name)." };
    private readonly Option<string> _dirnameReplace = new("--dirnamereplace", "--dnr") { Description = "Use this text instead of {//} (the directory)." };
    private readonly Option<string> _basenameExtensionReplace = new("--basenameextensionreplace", "--bner") { Description = "Use this text instead of {/.} (the base name without extension)." };
    private readonly Option<string> _seqReplace = new("--seqreplace") { Description = "Use this text instead of {#} (the sequence number)." };
    private readonly Option<string> _slotReplace = new("--slotreplace") { Description = "Use this text instead of {%} (the job slot)." };
    private readonly Option<bool> _pipe = new("--pipe") { Description = "Cut standard input into blocks of whole records (lines) and give each job one block on its stdin; the command is run as given, {#} and {%} filled in." };
    private readonly Option<bool> _pipePart = new("--pipepart") { Description = "As --pipe, reading the file given with -a instead of standard input (GNU parallel's name; the blocks are cut as --pipe cuts them)." };
    private readonly Option<string> _block = new("--block", "--block-size") { Description = "With --pipe: the most bytes of whole records per block, e.g. 10M. Default 1M." };
    private readonly Option<int?> _maxLines = new("--max-lines", "-L") { Description = "With --pipe: a record is N lines (-L 4 for FASTQ)." };
    private readonly Option<string> _recend = new("--recend") { Description = "With --pipe: what ends a record (a line); \\n, \\t, \\0 and \\\\ are escapes. Default \\n." };
    private readonly Option<string> _recstart = new("--recstart") { Description = "With --pipe: what begins a record; blocks are then cut just before one (after --recend, when given too), so --recstart '>' keeps multi-line FASTA records whole. Escapes as for --recend." };
    private readonly Option<bool> _cat = new("--cat") { Description = "With --pipe: put each block in a temporary file instead of the job's stdin; {} (or, without it, a last argument) is its name, $PARALLEL_TMP. The file is removed when the job ends." };
    private readonly Option<bool> _fifo = new("--fifo") { Description = "With --pipe: give each block through a named pipe instead of the job's stdin; {} (or a last argument) is its name, $PARALLEL_TMP." };
    private readonly Option<string> _groupBy = new("--group-by") { Description = "With --pipe: a record is a run of consecutive lines with the same value in this column (a number, or with --header : a name; columns split by --colsep, a tab by default), so a block never splits a group. -N 1 gives each group a job of its own." };
    private readonly Option<string> _shard = new("--shard") { Description = "With --pipe: start -j jobs and send each line to the job a hash of this column's value picks, so equal values meet in one job (a number, or with --header : a name; columns split by --colsep, ',' by default)." };
    private readonly Option<string> _bin = new("--bin") { Description = "With --pipe: start -j jobs and send each line to job (value mod -j) of this column, 0 being the last job (a number, or with --header : a name; columns split by --colsep, ',' by default)." };
    private readonly Option<bool> _removeRecordSeparators = new("--rrs", "--remove-rec-sep", "--removerecsep") { Description = "With --pipe: remove the record separators (--recend followed by --recstart) from each block, and a record start at its beginning and a record end at its end." };
    private readonly Option<bool> _roundRobin = new("--round-robin", "--round") { Description = "With --pipe: start at most -j jobs and share the blocks out among them as they come, each block to the next job ready for it, rather than a job per block. For a command that is slow to start or that tallies its whole share." };
    private readonly Option<bool> _tee = new("--tee") { Description = "With --pipe: give all of standard input to every job, one job per input value (::: grep ::: pattern1 pattern2). The input is read once, into memory." };
    private readonly Option<string> _tmpdir = new("--tmpdir") { Description = "Where --cat and --fifo make each block's file. Default: $TMPDIR, else /tmp." };
    private readonly Option<double> _delay = new("--delay") { Description = "Seconds between two job starts (to spare a shared file system a burst of starts)." };
    private readonly Option<bool> _bar = new("--bar", "--eta", "--progress") { Description = "Accepted for GNU parallel's sake: progress is always shown on stderr (a bar on a terminal, a line every --progress-interval elsewhere) unless --quiet." };
    private readonly Option<bool> _quiet = new("--quiet") { Description = "No progress and no summary unless something failed." };
    private readonly Option<double> _progressInterval = new("--progress-interval") { Description = "Seconds between progress lines when stderr is not a terminal. Default 10; 0 for none." };
    private readonly Option<double> _grace = new("--grace") { Description = "Seconds a stopped job gets between SIGTERM and SIGKILL. Default 2." };
    private readonly Option<string> _backend = new("--backend") { Description = "Where jobs run: local (the default) or slurm (job arrays on a Slurm cluster; the folder given by --slurm-dir must be shared with the nodes)." };
    private readonly Option<string> _partition = new("--partition") { Description = "With --backend slurm: the partition to submit to." };
    private readonly Option<string> _account = new("--account") { Description = "With --backend slurm: the account to charge." };
    private readonly Option<string[]> _sbatchArg = new("--sbatch-arg") { Description = "With --backend slurm: one more sbatch argument, such as --qos=long (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _slurmDir = new("--slurm-dir") { Description = "With --backend slurm: the shared folder for task scripts, outputs and status files. Default .fanout-slurm." };
    private readonly Option<bool> _keepJobsOnExit = new("--no-kill-on-exit") { Description = "Let running jobs live on if fanout itself is killed (by default the kernel kills them)." };

    internal RunCommandLine()
    {
        Command = new Command("run", "Run jobs in parallel: from a command template with ::: inputs, command lines on stdin or in a file, or a YAML manifest.\n\n" + Examples);
        foreach (var option in Options)
            Command.Add(option);
        Command.Add(new Argument<string[]>("command") { Description = "The command template (with {} and the other replacement strings) and its ::: / :::: input sources, or a .yaml manifest.", Arity = ArgumentArity.ZeroOrMore });
    }

    internal Command Command { get; }

    private Option[] Options =>
    [
        _jobs, _keepOrder, _timeout, _retries, _retryDelay, _halt, _joblog, _resume, _resumeFailed, _retryFailed, _results, _dryRun, _verbose, _nice, _link, _shuffle, _noShell, _env,
        _workdir, _tag, _tagString, _lineBuffer, _ungroup, _json, _memfree, _load, _argFile, _colsep, _trim, _header, _null, _delimiter, _endOfInput, _noRunIfEmpty, _argSep, _argFileSep, _argumentsPerJob, _maxArgs, _multiple, _contextMultiple, _xargs, _maxChars, _plus, _replace, _extensionReplace, _basenameReplace, _dirnameReplace, _basenameExtensionReplace, _seqReplace, _slotReplace, _pipe, _pipePart, _block, _maxLines, _recend, _recstart, _cat, _fifo, _tee, _roundRobin, _groupBy, _shard, _bin, _removeRecordSeparators, _tmpdir, _delay, _bar, _quiet, _progressInterval, _grace, _keepJobsOnExit,
        _backend, _partition, _account, _sbatchArg, _slurmDir,
    ];

    /// <summary>
    /// Splits the words into the options and the command: the command begins at the first word
    /// that is not an option or an option's value (or after <c>--</c>). A short option's value may
    /// be attached as GNU parallel users write it (<c>-j8</c>, <c>-N2</c>, <c>-C,</c>); it is
    /// detached here for the parser.
    /// </summary>
    internal (string[] Options, string[] Command) Split(IReadOnlyList<string> words)
    {
        var options = new List<string>();
        var i = 0;
        while (i < words.Count)
        {
            var word = words[i];
            if (word == "--")
                return ([.. options], [.. words.Skip(i + 1)]);
            if (word.Length < 2 || word[0] != '-')
                break;
            var name = word.Split('=', 2)[0];
            if (GnuParallelOptions.IsNoOp(name))
            {
                i++;
                continue;
            }

            if (GnuParallelOptions.UndoesKeepOrder(name))
            {
                options.RemoveAll(o => o is "-k" or "--keep-order");
                i++;
                continue;
            }

            if (GnuParallelOptions.Canonical(name) is var canonical && canonical != name)
            {
                word = canonical + word[name.Length..];
                name = canonical;
            }

            var option = Find(name);
            if (option is null && word[1] != '-' && Find(word[..2]) is { } shortOption && shortOption.ValueType != typeof(bool))
            {
                // -j8: a short option with its value attached.
                options.Add(word[..2]);
                options.Add(word[2..]);
                i++;
                continue;
            }

            if (option is null)
            {
                if (name is "-h" or "--help" or "-?")
                {
                    options.Add(word);
                    i++;
                    continue;
                }

                // -Sserver is GNU parallel's -S with its value attached.
                var gnuName = GnuParallelOptions.WhyNot(name) is null && word[1] != '-' ? word[..2] : name;
                throw new UsageException(GnuParallelOptions.WhyNot(gnuName) is { } why
                    ? $"fanout run: GNU parallel's {gnuName} is not supported: {why}"
                    : $"fanout run: unknown option '{word}'. See 'fanout run --help'.");
            }

            var takesValue = option.ValueType != typeof(bool) && !word.Contains('=', StringComparison.Ordinal);
            options.Add(word);
            if (takesValue && i + 1 < words.Count)
                options.Add(words[i + 1]);
            i += takesValue ? 2 : 1;
        }

        return ([.. options], [.. words.Skip(i)]);
    }

    private Option? Find(string name) => Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));

    /// <summary>Reads the parsed options into settings; throws <see cref="UsageException"/> naming a bad value.</summary>
    internal RunSettings Read(ParseResult parsed, IReadOnlyList<string> commandWords)
    {
        var batch = new BatchOptions
        {
            MaxParallel = ParseJobs(parsed.GetValue(_jobs)),
            Timeout = parsed.GetValue(_timeout) is { } timeout ? Parse(() => TimeoutPolicy.Parse(timeout)) : null,
            Retries = NonNegative(parsed.GetValue(_retries), "--retries"),
            RetryDelay = parsed.GetResult(_retryDelay) is null ? new BatchOptions().RetryDelay : Seconds(parsed.GetValue(_retryDelay), "--retry-delay"),
            Halt = parsed.GetValue(_halt) is { } halt ? Parse(() => HaltPolicy.Parse(halt)) : HaltPolicy.Never,
            JoblogPath = parsed.GetValue(_joblog) is { } joblog ? JoblogPath(joblog) : null,
            Resume = parsed.GetValue(_resumeFailed) ? ResumeMode.ResumeFailed : parsed.GetValue(_resume) ? ResumeMode.Resume : ResumeMode.None,
            ResultsDirectory = parsed.GetValue(_results) is { } results && !ResultsTable.IsTablePath(results) ? results : null,
            LineBuffer = parsed.GetValue(_lineBuffer),
            Ungrouped = parsed.GetValue(_ungroup),
            MinimumFreeMemory = parsed.GetValue(_memfree) is { } memfree ? Size(memfree, "--memfree") : null,
            MaximumLoad = parsed.GetResult(_load) is null ? null : Positive(parsed.GetValue(_load), "--load"),
            StartDelay = parsed.GetResult(_delay) is null ? TimeSpan.Zero : Seconds(parsed.GetValue(_delay), "--delay"),
            StopGracePeriod = parsed.GetResult(_grace) is null ? new BatchOptions().StopGracePeriod : Seconds(parsed.GetValue(_grace), "--grace"),
            KillJobsIfRunnerDies = !parsed.GetValue(_keepJobsOnExit),
            TemporaryDirectory = parsed.GetValue(_tmpdir) is { } tmpdir
                ? Directory.Exists(tmpdir) ? tmpdir : throw new UsageException($"--tmpdir '{tmpdir}': no such directory.")
                : null,
        };
        SlurmOptions? slurm = parsed.GetValue(_backend) switch
        {
            null or "local" => null,
            "slurm" => new SlurmOptions
            {
                Partition = parsed.GetValue(_partition),
                Account = parsed.GetValue(_account),
                SbatchArguments = [.. parsed.GetValue(_sbatchArg) ?? []],
                StateDirectory = parsed.GetValue(_slurmDir) ?? ".fanout-slurm",
                Throttle = parsed.GetValue(_jobs) is null ? null : batch.MaxParallel,
                AdoptEarlierTasks = batch.Resume,
            },
            var other => throw new UsageException($"--backend '{other}': expected local or slurm."),
        };
        if (slurm is not null && parsed.GetValue(_nice) is not null)
            throw new UsageException("--nice lowers the priority of jobs run on this machine; on Slurm, ask the scheduler with --sbatch-arg=--nice=N.");
        if (slurm is not null && parsed.GetValue(_jobs) is null)
            batch = batch with { MaxParallel = 10_000 }; // Slurm schedules; -j throttles the arrays when given
        if (batch.Ungrouped && new[] { ("-k", parsed.GetValue(_keepOrder)), ("--line-buffer", batch.LineBuffer), ("--tag", parsed.GetValue(_tag) || parsed.GetValue(_tagString) is not null), ("--json", parsed.GetValue(_json)), ("--results", parsed.GetValue(_results) is not null) }
                .FirstOrDefault(o => o.Item2) is ({ } conflicting, true))
            throw new UsageException($"-u (--ungroup) lets jobs write straight to the terminal or file, so fanout never sees their output: it cannot be combined with {conflicting}, which needs it.");
        // Line by line, the output goes out as it comes and is not kept, so nothing is left to order, file or report.
        if (batch.LineBuffer && !batch.Ungrouped && new[] { ("-k", parsed.GetValue(_keepOrder)), ("--json", parsed.GetValue(_json)), ("--results", parsed.GetValue(_results) is not null) }
                .FirstOrDefault(o => o.Item2) is ({ } withLines, true))
            throw new UsageException($"--line-buffer prints each job's lines as they come and keeps none of them: it cannot be combined with {withLines}, which needs each job's output whole.");
        if (parsed.GetValue(_results) is ['-', '.', ..] tableOnStdout && parsed.GetValue(_json))
            throw new UsageException($"--results {tableOnStdout} writes the table to stdout, where --json writes its events: give one of them (or --results FILE.csv).");
        var retryFailed = parsed.GetValue(_retryFailed);
        if (retryFailed && batch.JoblogPath is null)
            throw new UsageException("--retry-failed needs --joblog FILE: the failed commands are read from it.");
        if (retryFailed && (batch.Resume != ResumeMode.None || commandWords.Count > 0 || parsed.GetValue(_argFile) is not null))
            throw new UsageException("--retry-failed reruns the failed commands of the job log as they were logged: give no command, input, --resume or --resume-failed with it.");
        if (batch.Resume != ResumeMode.None && batch.JoblogPath is null)
            throw new UsageException("--resume and --resume-failed need --joblog FILE: the job log is what tells which jobs are done.");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parsed.GetValue(_env) ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at < 0 && IsVariableName(pair))
            {
                // GNU parallel's --env NAME: the jobs get fanout's own NAME (local jobs inherit it anyway;
                // Slurm jobs get it said). Its --env _, the variables env_parallel recorded, means nothing here.
                if (pair != "_" && Environment.GetEnvironmentVariable(pair) is { } value)
                    environment[pair] = value;
                continue;
            }

            if (at <= 0)
                throw new UsageException($"--env '{pair}': expected NAME=VALUE, or the NAME of one of fanout's variables to pass on.");
            environment[pair[..at]] = pair[(at + 1)..];
        }

        var perJob = (parsed.GetValue(_argumentsPerJob), parsed.GetValue(_maxArgs)) switch
        {
            ({ } n, { } m) when n != m => throw new UsageException($"-N {n} and --max-args {m} disagree; give one of them."),
            ({ } n, _) => n,
            (_, var m) => m,
        };
        if (perJob < 0)
            throw new UsageException($"-N {perJob}: must be 0 or more input arguments per job.");

        var blocks = ReadBlocks(parsed, perJob);
        var packing = ReadPacking(parsed, perJob, blocks is not null, batch.MaxParallel);
        if (blocks is not null)
        {
            if (batch.Resume != ResumeMode.None)
                throw new UsageException("--pipe cannot be combined with --resume or --resume-failed: every job runs the same command on another block of stdin, which a new run cannot match to the job log.");
            if (slurm is not null)
                throw new UsageException("--pipe runs jobs on this machine only: a Slurm job reads no standard input from fanout. Split the input into files first (split -l) and give those as input values.");
            // Each job read ahead holds its block: one block waits ready for the next free slot, no more.
            batch = batch with { ReadAhead = 1 };
            if ((parsed.GetValue(_shard) ?? parsed.GetValue(_bin)) is not null && batch.MaxParallel > 1024)
                throw new UsageException($"--shard and --bin start -j jobs at once, one per share of the lines: give -j a number up to 1024 (now {batch.MaxParallel}).");
            if ((parsed.GetValue(_shard) ?? parsed.GetValue(_bin)) is not null || parsed.GetValue(_roundRobin))
            {
                // Their jobs share one stream as it is read: a job held back would hold up the others' input.
                if (parsed.GetValue(_memfree) is not null || parsed.GetResult(_load) is not null)
                    throw new UsageException("--round-robin, --shard and --bin run their jobs at once, each fed its share of the input as it is read: --memfree and --load, which hold jobs back, do not apply.");
            }
        }

        return new RunSettings
        {
            RetryFailed = retryFailed,
            Blocks = blocks,
            ArgumentsPerJob = blocks is null || parsed.GetValue(_tee) ? perJob : null,
            Tee = parsed.GetValue(_tee),
            RoundRobin = parsed.GetValue(_roundRobin),
            Sharding = blocks is null ? null : Sharding(parsed) is { } sharding ? (sharding.Column, sharding.Rule) : null,
            Packing = packing,
            // As GNU parallel: -N and -X repeat a word holding {} per value; -n, -m and --xargs do not.
            ContextReplacement = blocks is null && (parsed.GetValue(_argumentsPerJob) is not null || parsed.GetValue(_contextMultiple)),
            Batch = batch,
            CommandWords = commandWords,
            ArgumentFile = parsed.GetValue(_argFile),
            Columns = parsed.GetValue(_colsep) is null && parsed.GetValue(_trim) is null ? null
                : Parse(() => InputColumns.Create(parsed.GetValue(_colsep), parsed.GetValue(_trim))),
            Header = parsed.GetValue(_header) switch
            {
                null => false,
                ":" => true,
                var other => throw new UsageException($"--header '{other}': Fanout takes ':' (the first line of each input names its columns); a GNU parallel header regular expression is not supported."),
            },
            InputOptions = ReadInputOptions(parsed, blocks is not null),
            BlockDelivery = parsed.GetValue(_cat) ? InputDelivery.TemporaryFile : parsed.GetValue(_fifo) ? InputDelivery.NamedPipe : InputDelivery.StandardInput,
            ResultsTablePath = parsed.GetValue(_results) is { } table && ResultsTable.IsTablePath(table) ? table : null,
            Plus = parsed.GetValue(_plus),
            Strings = ReadReplacementStrings(parsed),
            KeepOrder = parsed.GetValue(_keepOrder),
            DryRun = parsed.GetValue(_dryRun),
            Verbose = parsed.GetValue(_verbose),
            Shuffle = parsed.GetValue(_shuffle),
            Link = parsed.GetValue(_link),
            Niceness = parsed.GetValue(_nice) is { } nice
                ? nice is >= 0 and <= 19 ? nice : throw new UsageException($"--nice {nice}: expected 0 (normal) to 19 (the lowest priority).")
                : null,
            UseShell = !parsed.GetValue(_noShell),
            Tag = parsed.GetValue(_tag) || parsed.GetValue(_tagString) is not null,
            TagString = parsed.GetValue(_tagString),
            Json = parsed.GetValue(_json),
            Quiet = parsed.GetValue(_quiet),
            JobsGiven = parsed.GetResult(_jobs) is not null,
            ProgressInterval = parsed.GetResult(_progressInterval) is null ? TimeSpan.FromSeconds(10) : Seconds(parsed.GetValue(_progressInterval), "--progress-interval"),
            WorkingDirectory = parsed.GetValue(_workdir),
            Environment = environment,
            Slurm = slurm,
        };
    }

    /// <summary>--arg-sep, --arg-file-sep, -0, -d, -E and -r, as they apply to input values.</summary>
    private TemplateInputOptions ReadInputOptions(ParseResult parsed, bool pipe)
    {
        var delimiter = parsed.GetValue(_delimiter);
        var endOfInput = parsed.GetValue(_endOfInput);
        if (pipe && (delimiter is not null || endOfInput is not null))
            throw new UsageException("-d and -E apply to input values; --pipe cuts its blocks at --recend (such as --recend ',') and reads to the end.");
        if (delimiter is not null && parsed.GetValue(_null))
            throw new UsageException($"-0 and -d '{delimiter}' both say what ends a value; give one of them.");
        var options = new TemplateInputOptions { SkipBlankValues = parsed.GetValue(_noRunIfEmpty), EndOfInput = endOfInput };
        if (parsed.GetValue(_null))
            options = options with { Delimiter = "\0" };
        if (delimiter is not null)
        {
            var text = UnquotePrintf(delimiter);
            options = options with { Delimiter = text.Length > 0 ? text : throw new UsageException("-d '': a delimiter needs at least one character.") };
        }

        foreach (var (option, value) in new[] { ("--arg-sep", parsed.GetValue(_argSep)), ("--arg-file-sep", parsed.GetValue(_argFileSep)) })
        {
            if (value is "")
                throw new UsageException($"{option} '': a marker needs at least one character.");
        }

        options = options with
        {
            ValuesMarker = parsed.GetValue(_argSep) ?? options.ValuesMarker,
            FilesMarker = parsed.GetValue(_argFileSep) ?? options.FilesMarker,
        };
        return options;
    }

    /// <summary>GNU parallel's reading of -d: \t, \n, \r, then three octal digits, then one (\0 is NUL); any other backslash stays.</summary>
    private static string UnquotePrintf(string text)
    {
        text = text.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", "\r", StringComparison.Ordinal);
        text = OctalTriple().Replace(text, m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
        return OctalSingle().Replace(text, m => ((char)(m.Groups[1].Value[0] - '0')).ToString());
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\\([0-7]{3})")]
    private static partial System.Text.RegularExpressions.Regex OctalTriple();

    [System.Text.RegularExpressions.GeneratedRegex(@"\\([0-7])")]
    private static partial System.Text.RegularExpressions.Regex OctalSingle();

    /// <summary>-m, -X, --xargs and -s; null without any of the first three (-s is then refused).</summary>
    private ArgumentPacking? ReadPacking(ParseResult parsed, int? perJob, bool pipe, int jobSlots)
    {
        var (multiple, inContext, xargs) = (parsed.GetValue(_multiple), parsed.GetValue(_contextMultiple), parsed.GetValue(_xargs));
        var maxChars = parsed.GetValue(_maxChars);
        if (!multiple && !inContext && !xargs)
        {
            return maxChars is null ? null
                : throw new UsageException($"-s {maxChars} limits the command lines that -m, -X or --xargs pack; give one of them too.");
        }

        var name = inContext ? "-X" : multiple ? "-m" : "--xargs";
        if (pipe)
            throw new UsageException($"{name} packs input arguments into command lines; with --pipe the input goes to the jobs' stdin instead. Give one of them.");
        if (perJob == 0)
            throw new UsageException($"{(parsed.GetValue(_argumentsPerJob) is null ? "-n" : "-N")} 0 gives every job no argument at all; {name} gives it as many as fit. Give one of them.");
        var maxLength = maxChars ?? CommandLinePacker.DefaultMaxLength;
        if (maxLength < 1)
            throw new UsageException($"-s {maxLength}: expected a positive number of bytes.");
        if (maxLength > CommandLinePacker.DefaultMaxLength)
        {
            // As GNU parallel: a warning, and its own limit.
            Console.Error.WriteLine($"fanout run: warning: -s {maxLength} is more than the most, {CommandLinePacker.DefaultMaxLength}; using {CommandLinePacker.DefaultMaxLength}.");
            maxLength = CommandLinePacker.DefaultMaxLength;
        }

        return new ArgumentPacking(name, Spread: multiple || inContext, maxLength, jobSlots);
    }

    /// <summary>-I, --er, --bnr, --dnr, --bner, --seqreplace and --slotreplace; null when none is given.</summary>
    private ReplacementStrings? ReadReplacementStrings(ParseResult parsed)
    {
        var defaults = ReplacementStrings.Default;
        var strings = defaults with
        {
            Value = parsed.GetValue(_replace) ?? defaults.Value,
            WithoutExtension = parsed.GetValue(_extensionReplace) ?? defaults.WithoutExtension,
            Basename = parsed.GetValue(_basenameReplace) ?? defaults.Basename,
            Dirname = parsed.GetValue(_dirnameReplace) ?? defaults.Dirname,
            BasenameWithoutExtension = parsed.GetValue(_basenameExtensionReplace) ?? defaults.BasenameWithoutExtension,
            Sequence = parsed.GetValue(_seqReplace) ?? defaults.Sequence,
            Slot = parsed.GetValue(_slotReplace) ?? defaults.Slot,
        };
        if (strings == defaults)
            return null;
        // Checked here, so that a bad one is a usage error naming the option.
        try
        {
            CommandTemplate.Parse([], null, plus: false, strings);
        }
        catch (TemplateException e)
        {
            throw new UsageException("fanout run: " + e.Message);
        }

        return strings;
    }

    /// <summary>--pipe and its options; null without --pipe (whose options are then refused).</summary>
    private InputBlocks? ReadBlocks(ParseResult parsed, int? recordsPerBlock)
    {
        var block = parsed.GetValue(_block);
        var lines = parsed.GetValue(_maxLines);
        var recend = parsed.GetValue(_recend);
        var recstart = parsed.GetValue(_recstart);
        if (parsed.GetValue(_pipePart) && parsed.GetValue(_argFile) is null)
            throw new UsageException("--pipepart reads the file given with -a FILE (for standard input, use --pipe).");
        if (!parsed.GetValue(_pipe) && !parsed.GetValue(_pipePart))
        {
            if (block is not null || lines is not null || recend is not null || recstart is not null || parsed.GetValue(_cat) || parsed.GetValue(_fifo) || parsed.GetValue(_tee) || parsed.GetValue(_roundRobin) || parsed.GetValue(_groupBy) is not null || parsed.GetValue(_shard) is not null || parsed.GetValue(_bin) is not null || parsed.GetValue(_removeRecordSeparators))
                throw new UsageException("--block, -L (--max-lines), --recend, --recstart, --cat, --fifo, --tee, --round-robin, --group-by, --shard, --bin and --rrs apply to --pipe, which gives standard input to the jobs; give --pipe too.");
            return null;
        }

        if (parsed.GetValue(_cat) && parsed.GetValue(_fifo))
            throw new UsageException("--cat puts each block in a file and --fifo sends it through a named pipe: give one of them.");
        if ((parsed.GetValue(_cat) || parsed.GetValue(_fifo)) && parsed.GetValue(_noShell))
            throw new UsageException($"{(parsed.GetValue(_cat) ? "--cat" : "--fifo")} names the block's file $PARALLEL_TMP, which a shell expands; it cannot be combined with --no-shell.");

        if (Sharding(parsed) is { } sharding)
        {
            if (block is not null || lines is not null || recend is not null || recstart is not null || recordsPerBlock is not null || parsed.GetValue(_tee) || parsed.GetValue(_cat) || parsed.GetValue(_fifo) || parsed.GetValue(_roundRobin) || parsed.GetValue(_groupBy) is not null || parsed.GetValue(_pipePart) || parsed.GetValue(_noRunIfEmpty) || parsed.GetValue(_removeRecordSeparators))
                throw new UsageException($"{sharding.Option} sends each line to the job its column picks, as the lines come: --block, -L, -N, --recend, --recstart, --tee, --cat, --fifo, --round-robin, --group-by, --pipepart, -r and --rrs do not apply.");
            return new InputBlocks();
        }

        if (parsed.GetValue(_roundRobin) && (parsed.GetValue(_tee) || parsed.GetValue(_cat) || parsed.GetValue(_fifo)))
            throw new UsageException("--round-robin streams each job's share to its stdin while it runs: --tee (all of the input to every job), --cat and --fifo (one block in a file) do not apply.");
        if (parsed.GetValue(_tee))
        {
            if (block is not null || lines is not null || recend is not null || recstart is not null || recordsPerBlock is not null)
                throw new UsageException("--tee gives all of standard input to every job, uncut: --block, -L, -N, --recend and --recstart, which cut it, do not apply.");
            if (parsed.GetValue(_pipePart))
                throw new UsageException("--tee reads standard input; with --pipepart give the file on stdin instead of with -a.");
            if (parsed.GetValue(_null) || parsed.GetValue(_header) is not null || parsed.GetValue(_noRunIfEmpty) || parsed.GetValue(_cat) || parsed.GetValue(_fifo) || parsed.GetValue(_removeRecordSeparators))
                throw new UsageException("--tee gives standard input to every job's stdin as it is: -0, --header, -r, --rrs, --cat and --fifo do not apply.");
            return new InputBlocks();
        }

        if (parsed.GetValue(_null))
            throw new UsageException("--pipe cuts records at --recend, not at -0: for NUL-terminated records give --recend '\\0'.");
        var blocks = new InputBlocks { DropBlankLines = parsed.GetValue(_noRunIfEmpty), RepeatHeader = parsed.GetValue(_header) is ":", GroupBy = LineColumnOf(parsed), RemoveRecordSeparators = parsed.GetValue(_removeRecordSeparators) };
        if (blocks.GroupBy is not null && blocks.RemoveRecordSeparators)
            throw new UsageException("--group-by cuts records at changes of a column's value, not at separators: --rrs does not apply (GNU parallel refuses it too).");
        if (blocks.GroupBy is not null && (lines is not null || recend is not null || recstart is not null))
            throw new UsageException("--group-by makes each record a run of lines with the same value: -L, --recend and --recstart, which say what a record is, do not apply.");
        if (block is not null)
        {
            if (!Sizes.TryParseAsGnuParallel(block, out var bytes) || bytes < 1 || bytes > 1 << 30)
                throw new UsageException($"--block '{block}': expected a size from 1 byte to 1G, such as 64K or 10M.");
            blocks = blocks with { BlockSize = (int)bytes };
        }

        if (lines is not null && recend is not null)
            throw new UsageException("-L counts lines and --recend sets what ends a record: give one of them (-N n with --recend for n records per block).");
        if (lines is { } l)
            blocks = blocks with { LinesPerRecord = l >= 1 ? l : throw new UsageException($"-L {l}: a record is at least 1 line.") };
        if (recordsPerBlock is { } n)
            blocks = blocks with { RecordsPerBlock = n >= 1 ? n : throw new UsageException($"-N {n}: with --pipe, each job gets at least 1 record.") };
        if (recstart is not null)
        {
            if (lines is not null)
                throw new UsageException("-L counts lines and --recstart sets what begins a record: give one of them (-N n with --recstart for n records per block).");
            var text = Unescape(recstart);
            // As GNU parallel: --recstart alone cuts before every record start, wherever it is.
            blocks = blocks with
            {
                RecordStart = text.Length > 0 ? System.Text.Encoding.UTF8.GetBytes(text) : throw new UsageException("--recstart '': a record start needs at least one character."),
                RecordEnd = recend is null ? ReadOnlyMemory<byte>.Empty : blocks.RecordEnd,
            };
        }

        if (recend is not null)
        {
            var text = Unescape(recend);
            blocks = blocks with
            {
                RecordEnd = text.Length > 0 || recstart is not null ? System.Text.Encoding.UTF8.GetBytes(text)
                    : throw new UsageException("--recend '': a record end needs at least one character (or give --recstart, to cut just before each record start)."),
            };
        }

        return blocks;
    }

    /// <summary>The escapes a shell user can type for a record end: \n, \t, \r, \0 and \\.</summary>
    private static string Unescape(string text)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            result.Append(text[++i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', var other => other });
        }

        return result.ToString();
    }

    private static bool IsVariableName(string text) =>
        text.Length > 0 && !char.IsAsciiDigit(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>--group-by: the column by number, or by name in the --header line; null without it.</summary>
    private LineColumn? LineColumnOf(ParseResult parsed) =>
        parsed.GetValue(_groupBy) is { } column ? ColumnOf(parsed, "--group-by", column, parsed.GetValue(_colsep)) : null;

    /// <summary>--shard or --bin: the column and how its value picks the job (split at ',' unless --colsep says otherwise, as in GNU parallel); null without either.</summary>
    private (LineColumn Column, ShardRule Rule, string Option)? Sharding(ParseResult parsed)
    {
        var (shard, bin) = (parsed.GetValue(_shard), parsed.GetValue(_bin));
        if (shard is null && bin is null)
            return null;
        if (shard is not null && bin is not null)
            throw new UsageException("--shard and --bin both pick the job for each line: give one of them.");
        var (option, column, rule) = shard is not null ? ("--shard", shard, ShardRule.Hash) : ("--bin", bin!, ShardRule.Bin);
        return (ColumnOf(parsed, option, column, parsed.GetValue(_colsep) ?? ","), rule, option);
    }

    /// <summary>A column given to <paramref name="option"/> by number, or by name together with --header :.</summary>
    private LineColumn ColumnOf(ParseResult parsed, string option, string column, string? separator)
    {
        if (int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number >= 1 ? Parse(() => LineColumn.At(number, separator))
                : throw new UsageException($"{option} {column}: columns are numbered from 1.");
        }

        if (column.Length == 0 || parsed.GetValue(_header) is not ":")
            throw new UsageException($"{option} '{column}': give a column number, or a column name together with --header : (which reads the names from the first line).");
        return Parse(() => LineColumn.Named(column, separator));
    }

    // What -j 0 means, and the most any -j gives: GNU parallel's "as many as possible" meets the descriptor limit long before.
    private const int MostJobs = 32_768;

    private static int ParseJobs(string? text)
    {
        if (text is null)
            return Environment.ProcessorCount;
        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || !double.IsFinite(value))
            throw new UsageException($"--jobs '{text}': expected a number of jobs, a percentage of the cores (such as 50%), or 0.");
        if (percent)
            return (int)Math.Clamp(Environment.ProcessorCount * value / 100, 1, MostJobs);
        if (value == 0)
            return MostJobs;
        // As GNU parallel: a fraction is cut to a whole number, which must leave at least one job.
        return value >= 1 ? (int)Math.Min(value, MostJobs) : throw new UsageException($"--jobs '{text}': at least 1 job (or 0 for as many as possible).");
    }

    // GNU parallel's --joblog +FILE appends, which fanout always does: the + is not part of the name.
    private static string JoblogPath(string text) =>
        (text is ['+', .. var appended] ? appended : text) is { Length: > 0 } path
            ? path
            : throw new UsageException($"--joblog '{text}': give the job log's file name.");

    private static int NonNegative(int value, string option) =>
        value >= 0 ? value : throw new UsageException($"{option} {value}: must be 0 or more.");

    private static double Positive(double value, string option) =>
        value > 0 && double.IsFinite(value) ? value : throw new UsageException($"{option} {value}: must be above 0.");

    private static TimeSpan Seconds(double value, string option) =>
        value >= 0 && value <= TimeoutPolicy.LongestLimit.TotalSeconds
            ? TimeSpan.FromSeconds(value)
            : throw new UsageException($"{option} {value}: must be a number of seconds from 0 to {TimeoutPolicy.LongestLimit.TotalSeconds:0} (about 49 days).");

    private static long Size(string text, string option) =>
        Sizes.TryParseAsGnuParallel(text, out var bytes) ? bytes : throw new UsageException($"{option} '{text}': expected a size such as 512M or 2G (K, M, G: powers of 1024; k, m, g: of 1000).");

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is FormatException or TemplateException)
        {
            throw new UsageException(e.Message);
        }
    }
}
