using System.Globalization;

namespace Fanout;

/// <summary>Finding and removing segments that crashed processes left behind.</summary>
public sealed partial class SharedMemory
{
    /// <summary>
    /// Names of shared objects (segments, values, semaphores, locks…) left behind: a name Fanout made
    /// up (<c>fanout-PID-RANDOM</c>) whose creator PID is dead, and which no live process has mapped
    /// or open. A segment some live process still uses is never listed (Python's gh-82300), nor is one
    /// named by the caller: those are the caller's to unlink.
    /// </summary>
    public static IReadOnlyList<string> FindLeftovers()
    {
        var candidates = new List<string>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*"))
        {
            var name = Path.GetFileName(path);
            if (CreatorPid(name) is { } pid && !Futex.IsProcessAlive(pid))
                candidates.Add(name);
        }

        if (candidates.Count == 0)
            return candidates;
        var inUse = NamesInUse();
        return [.. candidates.Where(name => !inUse.Contains(name)).Order(StringComparer.Ordinal)];
    }

    /// <summary>Unlinks every segment <see cref="FindLeftovers"/> finds; returns their names.</summary>
    public static IReadOnlyList<string> RemoveLeftovers()
    {
        var removed = new List<string>();
        foreach (var name in FindLeftovers())
        {
            try
            {
                UnlinkName(name, "shared memory segment");
                removed.Add(name);
            }
            catch (SharedMemoryNotFoundException)
            {
                // Someone else removed it first.
            }
        }

        return removed;
    }

    /// <summary>The creator's pid in a name Fanout made up, or null for any other name.</summary>
    internal static int? CreatorPid(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var rest = name.AsSpan(Prefix.Length);
        var dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>Our names mapped or open in any process we can look into.</summary>
    private static HashSet<string> NamesInUse()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        const string marker = Directory + Prefix;
        foreach (var process in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                continue;
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(process, "maps")))
                {
                    var at = line.IndexOf(marker, StringComparison.Ordinal);
                    if (at >= 0)
                        used.Add(NameOf(line[at..]));
                }

                foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(marker, StringComparison.Ordinal))
                        used.Add(NameOf(target));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone, or another user's (their segments are not ours to judge: mode 0600).
            }
        }

        return used;

        static string NameOf(string path)
        {
            var name = path[Directory.Length..];
            return name.EndsWith(" (deleted)", StringComparison.Ordinal) ? name[..^" (deleted)".Length] : name;
        }
    }
}
