using System.Collections.Concurrent;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Remembers where a PATH search found a program, keyed by (name, PATH), and trusts the answer only
/// while a stat of everything the search looked at says nothing changed: each directory where the
/// name was missing (a file created, removed or renamed in it changes its modification time), each
/// candidate passed over as not executable (a chmod changes its change time), and the file found.
/// So a hit costs one stat per directory before the one that holds the program, and no string work.
/// <para>
/// File times come from a coarse clock, so a change made within the same tick as the search
/// could leave them equal: a search is remembered only when every time it recorded is some seconds
/// old. PATHs with a relative entry are not remembered (they depend on the current directory).
/// </para>
/// </summary>
internal static class PathSearchCache
{
    private const int Capacity = 256;
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<(string Program, string SearchPath), Entry> Entries = new();

    /// <summary>The remembered result, when nothing it depends on changed; otherwise null (and it is forgotten).</summary>
    internal static string? Lookup(string program, string searchPath)
    {
        if (!Entries.TryGetValue((program, searchPath), out var entry))
            return null;
        foreach (var probe in entry.Probes)
        {
            if (Identity.Of(probe.Path) != probe.Identity)
            {
                Entries.TryRemove(new KeyValuePair<(string, string), Entry>((program, searchPath), entry));
                return null;
            }
        }

        return entry.Resolved;
    }

    /// <summary>Remembers that searching <paramref name="searchPath"/> for <paramref name="program"/> gave <paramref name="resolved"/>, having looked at <paramref name="probes"/>.</summary>
    internal static void Store(string program, string searchPath, string resolved, List<string> probes)
    {
        foreach (var entry in searchPath.Split(':'))
        {
            if (!entry.StartsWith('/'))
                return;
        }

        var recorded = new Probe[probes.Count];
        var settledBefore = DateTimeOffset.UtcNow - Settled;
        for (var i = 0; i < probes.Count; i++)
        {
            var identity = Identity.Of(probes[i]);
            if (identity.Exists && (identity.Modified > settledBefore || identity.Changed > settledBefore))
                return;
            recorded[i] = new Probe(probes[i], identity);
        }

        if (Entries.Count >= Capacity)
            Entries.Clear();
        Entries[(program, searchPath)] = new Entry(resolved, recorded);
    }

    /// <summary>Forgets everything (for tests that change files faster than the clock settles).</summary>
    internal static void Clear() => Entries.Clear();

    private sealed record Entry(string Resolved, Probe[] Probes);

    private readonly record struct Probe(string Path, Identity Identity);

    /// <summary>What a stat of one path says, enough to tell that it changed since.</summary>
    private readonly record struct Identity(bool Exists, ushort Mode, uint DevMajor, uint DevMinor, ulong Inode, long MtimeSeconds, uint MtimeNanoseconds, long CtimeSeconds, uint CtimeNanoseconds)
    {
        internal DateTimeOffset Modified => DateTimeOffset.FromUnixTimeSeconds(MtimeSeconds).AddTicks(MtimeNanoseconds / 100);

        internal DateTimeOffset Changed => DateTimeOffset.FromUnixTimeSeconds(CtimeSeconds).AddTicks(CtimeNanoseconds / 100);

        internal static unsafe Identity Of(string path)
        {
            Libc.Statx stat;
            if (Libc.statx(Libc.AT_FDCWD, path, 0, Libc.STATX_TYPE | Libc.STATX_MODE | Libc.STATX_INO | Libc.STATX_MTIME | Libc.STATX_CTIME, &stat) != 0)
                return default;
            return new Identity(true, stat.Mode, stat.DevMajor, stat.DevMinor, stat.Inode, stat.MtimeSeconds, stat.MtimeNanoseconds, stat.CtimeSeconds, stat.CtimeNanoseconds);
        }
    }
}
