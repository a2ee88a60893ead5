using System.Globalization;

namespace Fanout.Benchmarks;

/// <summary>The <c>--name value</c> options of one invocation; every option given must be used.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    internal static Options Parse(ReadOnlySpan<string> args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value', got '{name}'.");
            options._values[name[2..]] = args[++i];
        }

        return options;
    }

    internal string Text(string name, string fallback)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name, fallback);
    }

    internal int Int(string name, int fallback) =>
        int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    internal long Long(string name, long fallback) =>
        long.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    internal double Double(string name, double fallback) =>
        double.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    internal void ThrowIfUnused()
    {
        foreach (var name in _values.Keys)
        {
            if (!_used.Contains(name))
                throw new ArgumentException($"Unknown option '--{name}'.");
        }
    }
}
