using System.Globalization;
using Fanout.Batch;
using Fanout.Cli.Manifest;

namespace Fanout.Cli;

/// <summary>Turns `fanout run`'s words into jobs: a YAML manifest, a template with input sources, or command lines.</summary>
internal static class JobInputs
{
    /// <summary>True when the words name a manifest file.</summary>
    internal static bool IsManifest(IReadOnlyList<string> words) =>
        words.Count == 1 && (words[0].EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || words[0].EndsWith(".yml", StringComparison.OrdinalIgnoreCase));

    /// <summary>The jobs, read lazily where they come from a template or lines.</summary>
    /// <exception cref="UsageException">The manifest, the template or an input file is wrong; the message says where.</exception>
    internal static IEnumerable<JobSpec> Read(RunSettings settings, InputSharing sharing, out int? manifestParallel)
    {
        manifestParallel = null;
        if (settings.RetryFailed)
            return RetryFailed(settings);
        if (IsManifest(settings.CommandWords))
        {
            if (settings.Columns is not null || settings.Header || settings.ArgumentsPerJob is not null || settings.Blocks is not null || settings.TagString is not null || settings.Shuffle || settings.Link || settings.Packing is not null)
                throw new UsageException("fanout run: --colsep, --trim, --header, -N, -m, -X, --xargs, --tagstring, --shuf, --link and --pipe apply to input values after :::, :::: or -a (or to stdin), not to a manifest (--tag tags a manifest's jobs with their ids).");
            if (!File.Exists(settings.CommandWords[0]))
                throw new UsageException($"{settings.CommandWords[0]}: no such manifest file.");
            var manifest = BatchManifest.Load(settings.CommandWords[0]);
            manifestParallel = manifest.Parallel;
            return manifest.Jobs.Select(job => Apply(settings, job)).ToList();
        }

        if (settings.Blocks is { } blocks && !settings.Tee)
            return Blocks(settings, blocks, sharing);

        TemplateInput input;
        CommandTemplate template;
        CommandLinePacker? packer = null;
        try
        {
            var options = settings.InputOptions;
            input = TemplateInput.Parse(settings.CommandWords, options: options);
            if (settings.Tee && !input.HasSources)
                throw new UsageException("fanout run --pipe --tee: every job gets all of standard input, so the jobs' values come after ::: or :::: (such as 'grep {} ::: pattern1 pattern2').");
            if (!input.HasSources)
            {
                if (settings.ArgumentFile is { } file)
                    input = TemplateInput.Parse([.. settings.CommandWords, options.FilesMarker, file], options: options);
                else if (!Console.IsInputRedirected)
                    throw new UsageException("fanout run: no input. Give values after :::, a file after :::: or -a, or command lines on stdin. See 'fanout run --help'.");
                else
                    input = input.OrStandardInput();
            }

            if (settings.Link)
                input = input.WithLinkedSources();
            if (settings.Header)
            {
                if (input.CommandWords.Count == 0)
                    throw new UsageException("fanout run: --header names the columns of input values for a command template; command lines need no header.");
                input = input.WithHeaders();
            }

            if (settings.Packing is not null && (settings.Header || settings.Columns is not null))
                throw new UsageException($"fanout run: {settings.Packing.Option} packs whole input arguments into each job; it cannot be combined with --header, --colsep or --trim, which name or split the values of one argument.");
            if (settings.Shuffle)
                input = input.Shuffled(Random.Shared); // before -N groups the arguments: a job gets a random set
            if (settings.ArgumentsPerJob is { } perJob && settings.Packing is null)
            {
                if (settings.Header)
                    throw new UsageException("fanout run: -N (or --max-args) and --header cannot be combined: a job of several rows has no single name per column. Use {1}, {2}… instead of the names.");
                input = input.WithArgumentsPerJob(perJob);
            }

            template = CommandTemplate.Parse(input.CommandWords, null, settings.Plus, settings.Strings);
            if (settings.Columns is { SplitsColumns: true } || settings.Header)
            {
                template = template.WithMissingPositionsEmpty(); // a line has as many values as columns
            }
            else
            {
                template.Validate(input.ValuesPerJob);
                if (settings.ArgumentsPerJob is not null)
                    template = template.WithMissingPositionsEmpty(); // the last job may get fewer arguments
            }

            if (settings.ContextReplacement)
                template = template.WithContextReplacement();
            if (settings.Packing is { } packing)
            {
                var tag = settings.TagString ?? (settings.Tag ? "{}" : null);
                packer = new CommandLinePacker(template, packing.JobSlots, packing.Spread, packing.MaxLength, settings.ArgumentsPerJob, tag is null ? null : [tag]);
            }
        }
        catch (TemplateException e)
        {
            throw new UsageException("fanout run: " + e.Message);
        }

        var jobs = Expand(settings, input, template, packer);
        // As with --pipe, a command with no replacement string is run as written: the value is not appended.
        return settings.Tee ? Teed(jobs, template.AppendsArguments ? template.ToString() : null) : jobs;
    }

    /// <summary>--tee: standard input, read once into memory, is every job's input (the same bytes, not a copy each).</summary>
    private static IEnumerable<JobSpec> Teed(IEnumerable<JobSpec> jobs, string? asWritten)
    {
        ReadOnlyMemory<byte>? input = null;
        foreach (var job in jobs)
        {
            if (input is null)
            {
                using var stdin = Console.OpenStandardInput(1 << 16);
                using var all = new MemoryStream();
                try
                {
                    stdin.CopyTo(all);
                }
                catch (IOException e)
                {
                    throw new FanoutException($"--tee holds standard input in memory, and it could not be read whole: {e.Message}", e);
                }

                input = all.GetBuffer().AsMemory(0, (int)all.Length);
            }

            yield return asWritten is null ? job with { StandardInput = input } : job with { StandardInput = input, CommandLine = asWritten, CommandForSlot = null };
        }
    }

    /// <summary>--tagstring as a template that inserts values unquoted; null without it.</summary>
    private static CommandTemplate? TagTemplate(RunSettings settings)
    {
        if (settings.TagString is not { } text)
            return null;
        try
        {
            return CommandTemplate.Parse([text], null, settings.Plus, settings.Strings).WithoutQuoting().WithMissingPositionsEmpty();
        }
        catch (TemplateException e)
        {
            throw new UsageException("fanout run --tagstring: " + e.Message);
        }
    }

    /// <summary>Makes a job's tag from its values, sequence number and slot; null without --tagstring.</summary>
    private static Func<IReadOnlyList<string>, long, int, string>? TagMaker(CommandTemplate? tag) =>
        tag is null ? null
        // Text without a replacement string is the tag as it is: nothing is appended to it.
        : tag.AppendsArguments ? (_, _, _) => tag.ToString()
        : (values, sequence, slot) => tag.Render(values, sequence, slot);

    private static IEnumerable<JobSpec> Expand(RunSettings settings, TemplateInput input, CommandTemplate template, CommandLinePacker? packer)
    {
        var slotDependent = template.UsesSlot;
        var tagTemplate = TagTemplate(settings);
        var named = !settings.Header;
        long sequence = 0;
        long? total = null;
        // --shuf shuffled the arguments before -N grouped or -m packed them (see Read), as GNU parallel does.
        var arguments = packer?.Pack(input.Arguments()) ?? input.Arguments();
        if (template.UsesTotalJobs || tagTemplate?.UsesTotalJobs == true)
        {
            // GNU parallel's {##}: every job is read first.
            var all = arguments.ToArray();
            arguments = all;
            total = all.Length;
        }

        var slots = settings.Batch.MaxParallel;
        template = template.WithJobCounts(total, slots);
        var tag = TagMaker(tagTemplate?.WithJobCounts(total, slots));
        var tagBySlot = tagTemplate?.UsesSlot == true;

        var crlf = new CrLfWarning(settings.InputOptions);
        foreach (var sourceValues in arguments)
        {
            crlf.Look(sourceValues);
            if (!named)
            {
                // Every source has read its header by the first job: the template can know the names now.
                var headers = input.Headers.Select(h => h ?? "").ToList();
                var names = settings.Columns?.Apply(headers) ?? headers;
                template = CommandTemplate.Parse(input.CommandWords, names, settings.Plus, settings.Strings).WithMissingPositionsEmpty().WithJobCounts(total, slots);
                named = true;
            }

            var values = settings.Columns?.Apply(sourceValues) ?? sourceValues;
            var seq = ++sequence;
            if (template.Skips(values))
                continue;
            var job = new JobSpec(seq.ToString(CultureInfo.InvariantCulture), template.Render(values, seq, 0))
            {
                Arguments = [.. values],
                Tag = tag?.Invoke(values, seq, 0),
                CommandForSlot = slotDependent ? slot => template.Render(values, seq, slot) : null,
                TagForSlot = tagBySlot ? slot => tag!(values, seq, slot) : null,
            };
            yield return Apply(settings, job);
        }
    }

    /// <summary>
    /// GNU parallel's warning for files written on Windows: when the first three values all end in
    /// a carriage return, the \r is most likely a line end that -d '\r\n' would have taken off.
    /// </summary>
    private sealed class CrLfWarning(TemplateInputOptions options)
    {
        private int _seen = options.Delimiter == "\n" ? 0 : 3;
        private int _endingInCr;

        internal void Look(IReadOnlyList<string> values)
        {
            for (var i = 0; i < values.Count && _seen < 3; i++)
            {
                _seen++;
                if (values[i].EndsWith('\r'))
                    _endingInCr++;
                if (_seen == 3 && _endingInCr == 3)
                    Console.Error.WriteLine("fanout run: warning: the first three values end in a carriage return (\\r), which stays part of each value; if the input was written on Windows, give -d '\\r\\n'.");
            }
        }
    }

    /// <summary>--retry-failed: each command the job log shows failed, once, in the order logged.</summary>
    private static List<JobSpec> RetryFailed(RunSettings settings)
    {
        IReadOnlyList<string> commands;
        try
        {
            commands = Joblog.ReadFailed(settings.Batch.JoblogPath!);
        }
        catch (FanoutException e)
        {
            throw new UsageException("fanout run --retry-failed: " + e.Message);
        }

        return [.. commands.Select((command, i) => Apply(settings, new JobSpec((i + 1).ToString(CultureInfo.InvariantCulture), command)))];
    }

    /// <summary>--pipe: the command as given, once per block of standard input.</summary>
    private static IEnumerable<JobSpec> Blocks(RunSettings settings, InputBlocks blocks, InputSharing sharing)
    {
        if (settings.CommandWords.Count == 0)
            throw new UsageException("fanout run --pipe: no command. Give the command that reads each block on its stdin, such as 'fanout run --pipe wc -l < big.txt'.");
        if (TemplateInput.Parse(settings.CommandWords, options: settings.InputOptions).HasSources)
            throw new UsageException("fanout run --pipe: the jobs' input is standard input (or the -a file), cut into blocks; input sources (:::, ::::) cannot be given too.");
        Stream Open()
        {
            if (settings.ArgumentFile is not { } file)
                return Console.OpenStandardInput(1 << 16);
            try
            {
                return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"fanout run --pipe: cannot read the input file '{file}': {e.Message}");
            }
        }

        if ((settings.Columns is not null && blocks.GroupBy is null && settings.Sharding is null) || settings.Shuffle || settings.Link)
            throw new UsageException("fanout run --pipe: --colsep, --trim, --shuf and --link apply to input values; with --pipe the blocks go to the jobs' stdin as they are, in order (--header : gives every block the first line, and --colsep splits the columns of --group-by, --shard and --bin).");

        CommandTemplate template;
        try
        {
            template = CommandTemplate.Parse(settings.CommandWords, null, settings.Plus, settings.Strings).WithMissingPositionsEmpty().WithJobCounts(null, settings.Batch.MaxParallel);
        }
        catch (TemplateException e)
        {
            throw new UsageException("fanout run: " + e.Message);
        }

        var tagTemplate = TagTemplate(settings)?.WithJobCounts(null, settings.Batch.MaxParallel);
        if (template.UsesTotalJobs || tagTemplate?.UsesTotalJobs == true)
            throw new UsageException("fanout run --pipe: {##} and {0#} need the number of jobs, which is known only once all of standard input has been cut into blocks; use {#}.");

        // Opened here, once every usage check has passed, so that a missing file is a usage error too.
        var source = Open();
        return Expand();

        IEnumerable<JobSpec> Expand()
        {
            var slotDependent = template.UsesSlot;
            var tag = TagMaker(tagTemplate);
            var tagBySlot = tagTemplate?.UsesSlot == true;
            if (settings.Sharding is { } sharding)
            {
                // Lines, not blocks: the routing reads the input itself, on after the last job is queued.
                var routed = new ShardedInput(source, settings.Batch.MaxParallel, sharding.Column, sharding.Rule);
                sharing.Track(routed, () => routed.ReadError);
                foreach (var job in routed.Jobs(seq => Job(seq, null)))
                    yield return job;
                yield break;
            }

            if (!settings.RoundRobin)
            {
                long sequence = 0;
                foreach (var block in Read())
                    yield return Job(++sequence, block);
                yield break;
            }

            // The jobs run as long as their input does: the sharing reads on after the last job is queued.
            var shared = new RoundRobinInput(Read(), settings.Batch.MaxParallel);
            sharing.Track(shared, () => shared.ReadError);
            foreach (var job in shared.Jobs(seq => Job(seq, null)))
                yield return job;

            JobSpec Job(long seq, ReadOnlyMemory<byte>? block)
            {
                return Apply(settings, new JobSpec(seq.ToString(CultureInfo.InvariantCulture), Line(0))
                {
                    StandardInput = block,
                    InputDelivery = settings.BlockDelivery,
                    Tag = tag?.Invoke([], seq, 0),
                    CommandForSlot = slotDependent ? Line : null,
                    TagForSlot = tagBySlot ? slot => tag!([], seq, slot) : null,
                });

                string Line(int slot) => PipeCommand(template, settings.BlockDelivery, seq, slot);
            }
        }

        // The blocks, closing the input once they are all read (or the reading is abandoned).
        IEnumerable<ReadOnlyMemory<byte>> Read()
        {
            using var input = source;
            long sinceCollection = 0;
            foreach (var block in blocks.Read(input))
            {
                // Blocks of finished jobs are garbage the GC would let pile up to gigabytes before a full
                // collection; collecting every few blocks' worth keeps the runner near -j blocks and
                // reuses memory already faulted in, which is faster than fresh memory.
                sinceCollection += block.Length;
                if (sinceCollection > Math.Max(16L << 20, 2L * blocks.BlockSize))
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
                    sinceCollection = 0;
                }

                yield return block;
            }
        }
    }

    /// <summary>
    /// A --pipe job's command. On stdin, the command as written: nothing is appended, and {} and its
    /// like stand for nothing. With --cat or --fifo, as GNU parallel writes it: they stand for
    /// $PARALLEL_TMP, the block's file, which is appended when the command has none of them.
    /// </summary>
    private static string PipeCommand(CommandTemplate template, InputDelivery delivery, long seq, int slot)
    {
        if (delivery == InputDelivery.StandardInput)
            return template.AppendsArguments ? template.ToString() : template.Render([], seq, slot);
        return template.WithoutQuoting().Render(["$" + JobSpec.InputFileVariable], seq, slot);
    }

    private static JobSpec Apply(RunSettings settings, JobSpec job)
    {
        job = job with { UseShell = settings.UseShell, Niceness = settings.Niceness ?? job.Niceness };
        if (settings.WorkingDirectory is not null)
            job = job with { WorkingDirectory = settings.WorkingDirectory };
        if (settings.Environment.Count > 0)
            job = job with { Environment = job.Environment.SetItems(settings.Environment) };
        return job;
    }
}
