using System.Collections.Immutable;
using System.Globalization;
using Fanout.Batch;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fanout.Cli.Manifest;

/// <summary>
/// A YAML batch manifest: named groups of jobs (one per sample and script), single steps, the
/// dependencies between them, and a final step that runs once everything else succeeded.
/// <code>
/// parallel: 4                    # optional; -j on the command line wins
/// defaults: { timeout: 600, retries: 1 }
/// steps:
///   - id: prepare
///     command: mkdir -p results
/// groups:
///   cfdna:
///     samples_file: cfdna.txt    # or samples: [a, b, c]
///     scripts: [scripts/cfdna/*.sh]
///     command: sh {script} {sample}
///     after: [prepare]
///     timeout: 60                # also retries, cpus, memory, chain
/// then: sh post.sh               # or a mapping with command, timeout, retries…
/// </code>
/// Every error names the file and the line.
/// </summary>
internal sealed class BatchManifest
{
    private static readonly string[] TopKeys = ["parallel", "defaults", "steps", "groups", "then"];
    private static readonly string[] ResourceKeys = ["timeout", "retries", "cpus", "memory"];
    private static readonly string[] GroupKeys = ["samples", "samples_file", "scripts", "command", "after", "chain", .. ResourceKeys];
    private static readonly string[] StepKeys = ["id", "command", "after", .. ResourceKeys];
    private readonly string _path;
    private readonly string _directory;

    private BatchManifest(string path)
    {
        _path = path;
        _directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
    }

    /// <summary>The jobs, in order: steps, then each group's jobs sample by sample, then the final step.</summary>
    internal List<JobSpec> Jobs { get; } = [];

    /// <summary>The parallelism the manifest asks for, if any.</summary>
    internal int? Parallel { get; private set; }

    /// <summary>Reads and checks a manifest; jobs run in the manifest's folder.</summary>
    /// <exception cref="UsageException">The file is missing, not YAML, or wrong; the message names the file and line.</exception>
    internal static BatchManifest Load(string path)
    {
        var manifest = new BatchManifest(path);
        YamlStream yaml = [];
        try
        {
            using var reader = File.OpenText(path);
            yaml.Load(reader);
        }
        catch (IOException e)
        {
            throw new UsageException($"{path}: cannot read the manifest: {e.Message}");
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}:{e.Start.Line}: not valid YAML: {e.Message}");
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new UsageException($"{path}:1: a manifest is a mapping with keys {string.Join(", ", TopKeys)}.");
        manifest.Read(root);
        return manifest;
    }

    private void Read(YamlMappingNode root)
    {
        CheckKeys(root, TopKeys, "the manifest");
        var defaults = Child(root, "defaults") is { } d ? Mapping(d, "defaults") : null;
        if (defaults is not null)
            CheckKeys(defaults, ResourceKeys, "defaults");
        if (Child(root, "parallel") is { } parallel)
            Parallel = PositiveInt(parallel, "parallel");

        var known = new Dictionary<string, (List<string> Ids, Mark Line)>(StringComparer.Ordinal);
        var pendingAfter = new List<(JobSpec Job, YamlNode After, int Index)>();

        if (Child(root, "steps") is { } stepsNode)
        {
            foreach (var stepNode in Sequence(stepsNode, "steps"))
            {
                var step = Mapping(stepNode, "a step");
                CheckKeys(step, StepKeys, "a step");
                var id = Scalar(Required(step, "id", "a step"), "id");
                if (known.ContainsKey(id))
                    throw Error(step, $"the id '{id}' is used twice");
                var job = WithResources(new JobSpec(id, Scalar(Required(step, "command", $"step '{id}'"), "command")) { WorkingDirectory = _directory }, step, defaults);
                known[id] = ([id], step.Start);
                Jobs.Add(job);
                if (Child(step, "after") is { } after)
                    pendingAfter.Add((job, after, Jobs.Count - 1));
            }
        }

        if (Child(root, "groups") is { } groupsNode)
        {
            foreach (var (keyNode, value) in Mapping(groupsNode, "groups"))
            {
                var name = Scalar(keyNode, "a group name");
                if (known.ContainsKey(name))
                    throw Error(keyNode, $"the name '{name}' is used twice");
                var group = Mapping(value, $"group '{name}'");
                CheckKeys(group, GroupKeys, $"group '{name}'");
                var ids = ReadGroup(name, group, defaults, pendingAfter);
                known[name] = (ids, keyNode.Start);
            }
        }

        foreach (var (job, after, index) in pendingAfter)
        {
            var dependencies = new List<string>();
            foreach (var reference in Sequence(after, "after"))
            {
                var target = Scalar(reference, "after");
                if (!known.TryGetValue(target, out var found))
                    throw Error(reference, $"'after' names '{target}', which is neither a step nor a group (known: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))})");
                dependencies.AddRange(found.Ids);
            }

            Jobs[index] = Jobs[index] with { DependsOn = [.. Jobs[index].DependsOn, .. dependencies] };
        }

        if (Child(root, "then") is { } thenNode)
        {
            JobSpec then;
            if (thenNode is YamlScalarNode)
            {
                then = new JobSpec("then", Scalar(thenNode, "then")) { WorkingDirectory = _directory };
            }
            else
            {
                var map = Mapping(thenNode, "then");
                CheckKeys(map, ["command", .. ResourceKeys], "then");
                then = WithResources(new JobSpec("then", Scalar(Required(map, "command", "then"), "command")) { WorkingDirectory = _directory }, map, defaults);
            }

            if (known.ContainsKey("then"))
                throw Error(thenNode, "a step or group is named 'then', which is the final step's id");
            Jobs.Add(then with { DependsOn = [.. Jobs.Select(j => j.Id)] });
        }

        if (Jobs.Count == 0)
            throw new UsageException($"{_path}:1: the manifest has no steps, groups or then.");
        CheckCycles(known);
    }

    private List<string> ReadGroup(string name, YamlMappingNode group, YamlMappingNode? defaults, List<(JobSpec, YamlNode, int)> pendingAfter)
    {
        var samples = ReadSamples(name, group);
        var scriptsNode = Required(group, "scripts", $"group '{name}'");
        var scripts = Sequence(scriptsNode, "scripts").SelectMany(s => ExpandScript(Scalar(s, "scripts"), s)).ToList();
        if (scripts.Count == 0)
            throw Error(scriptsNode, $"group '{name}' has no scripts");
        var template = Child(group, "command") is { } c ? Scalar(c, "command") : "{script} {sample}";
        var chain = Child(group, "chain") is { } chainNode && Boolean(chainNode, "chain");
        var after = Child(group, "after");
        var ids = new List<string>();
        foreach (var sample in samples)
        {
            string? previous = null;
            for (var i = 0; i < scripts.Count; i++)
            {
                var script = scripts[i];
                var id = $"{name}/{sample}/{Path.GetFileNameWithoutExtension(script)}";
                var command = template
                    .Replace("{sample}", ShellQuote(sample), StringComparison.Ordinal)
                    .Replace("{script}", ShellQuote(script), StringComparison.Ordinal)
                    .Replace("{group}", ShellQuote(name), StringComparison.Ordinal)
                    .Replace("{index}", (i + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
                var job = WithResources(new JobSpec(id, command) { Group = name, Arguments = [sample, script], WorkingDirectory = _directory }, group, defaults);
                if (chain && previous is not null)
                    job = job with { DependsOn = [previous] };
                Jobs.Add(job);
                ids.Add(id);
                if (after is not null)
                    pendingAfter.Add((job, after, Jobs.Count - 1));
                previous = id;
            }
        }

        return ids;
    }

    private List<string> ReadSamples(string name, YamlMappingNode group)
    {
        var inline = Child(group, "samples");
        var file = Child(group, "samples_file");
        if ((inline is null) == (file is null))
            throw Error(group, $"group '{name}' needs exactly one of 'samples' (a list) or 'samples_file' (a file with one sample per line)");
        List<string> samples;
        if (inline is not null)
        {
            samples = Sequence(inline, "samples").Select(s => Scalar(s, "samples")).ToList();
        }
        else
        {
            var path = Path.Combine(_directory, Scalar(file!, "samples_file"));
            if (!File.Exists(path))
                throw Error(file!, $"the samples file '{Scalar(file!, "samples_file")}' does not exist");
            samples = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        }

        if (samples.Count == 0)
            throw Error(inline ?? file!, $"group '{name}' has no samples");
        var duplicate = samples.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw Error(inline ?? file!, $"group '{name}' lists the sample '{duplicate.Key}' twice");
        return samples;
    }

    private List<string> ExpandScript(string pattern, YamlNode node)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal))
        {
            if (!File.Exists(Path.Combine(_directory, pattern)))
                throw Error(node, $"the script '{pattern}' does not exist");
            return [pattern];
        }

        var folder = Path.GetDirectoryName(pattern) ?? "";
        var full = Path.Combine(_directory, folder);
        if (!Directory.Exists(full))
            throw Error(node, $"the folder of '{pattern}' does not exist");
        var matches = Directory.GetFiles(full, Path.GetFileName(pattern)).Select(f => Path.Combine(folder, Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList();
        if (matches.Count == 0)
            throw Error(node, $"no script matches '{pattern}'");
        return matches;
    }

    private JobSpec WithResources(JobSpec job, YamlMappingNode node, YamlMappingNode? defaults)
    {
        foreach (var source in new[] { defaults, node })
        {
            if (source is null)
                continue;
            if (Child(source, "timeout") is { } timeout)
                job = job with { Timeout = TimeLimit(timeout) };
            if (Child(source, "retries") is { } retries)
                job = job with { Retries = NonNegativeInt(retries, "retries") };
            if (Child(source, "cpus") is { } cpus)
                job = job with { Cpus = PositiveInt(cpus, "cpus") };
            if (Child(source, "memory") is { } memory)
                job = job with { MemoryBytes = Sizes.TryParse(Scalar(memory, "memory"), out var bytes) ? bytes : throw Error(memory, $"memory '{Scalar(memory, "memory")}' is not a size such as 512M or 2G") };
        }

        return job;
    }

    private void CheckCycles(Dictionary<string, (List<string> Ids, Mark Line)> known)
    {
        try
        {
            BatchRunner.Validate(Jobs);
        }
        catch (FanoutException e)
        {
            // Point at the step or group of the first job the message names.
            var line = known.Values.Where(k => k.Ids.Any(id => e.Message.Contains($"'{id}'", StringComparison.Ordinal) || e.Message.Contains(id + " ->", StringComparison.Ordinal)))
                .Select(k => k.Line.Line).DefaultIfEmpty(1).Min();
            throw new UsageException($"{_path}:{line}: {e.Message}");
        }
    }

    private void CheckKeys(YamlMappingNode node, string[] allowed, string where)
    {
        foreach (var key in node.Children.Keys)
        {
            var name = Scalar(key, "a key");
            if (!allowed.Contains(name))
                throw Error(key, $"unknown key '{name}' in {where} (known: {string.Join(", ", allowed)})");
        }
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private YamlNode Required(YamlMappingNode node, string key, string where) =>
        Child(node, key) ?? throw Error(node, $"{where} needs '{key}'");

    private YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping (key: value lines)");

    private IEnumerable<YamlNode> Sequence(YamlNode node, string what) => node switch
    {
        YamlSequenceNode sequence => sequence.Children,
        YamlScalarNode => [node],
        _ => throw Error(node, $"{what} must be a list"),
    };

    private string Scalar(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"{what} must be a single value");

    private bool Boolean(YamlNode node, string what) => Scalar(node, what) switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        var other => throw Error(node, $"{what} must be true or false, not '{other}'"),
    };

    private double PositiveNumber(YamlNode node, string what) =>
        double.TryParse(Scalar(node, what), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw Error(node, $"{what} must be a positive number of seconds, not '{Scalar(node, what)}'");

    private TimeSpan TimeLimit(YamlNode node) =>
        PositiveNumber(node, "timeout") is var seconds && seconds <= TimeoutPolicy.LongestLimit.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw Error(node, $"timeout must be at most {TimeoutPolicy.LongestLimit.TotalSeconds:0} seconds (about 49 days), not '{Scalar(node, "timeout")}'");

    private int PositiveInt(YamlNode node, string what) =>
        int.TryParse(Scalar(node, what), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw Error(node, $"{what} must be a whole number above 0, not '{Scalar(node, what)}'");

    private int NonNegativeInt(YamlNode node, string what) =>
        int.TryParse(Scalar(node, what), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(node, $"{what} must be a whole number, 0 or more, not '{Scalar(node, what)}'");

    private UsageException Error(YamlNode node, string message) => new($"{_path}:{node.Start.Line}: {message}");

    private static string ShellQuote(string word) => ShellQuoting.Quote(word);
}
