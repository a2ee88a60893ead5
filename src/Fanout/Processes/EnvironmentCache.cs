using System.Collections;
using System.Collections.Immutable;

namespace Fanout;

/// <summary>
/// Keeps the marshalled environment of the last start and hands it out again while nothing it was
/// built from has changed, so starting the same kind of child over and over encodes the
/// environment once.
/// <para>
/// .NET keeps this process's environment in a dictionary of its own (which
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes; the C library's
/// <c>environ</c> stays as it was) and offers no change counter. So every start still takes
/// <see cref="Environment.GetEnvironmentVariables()"/> and compares it with the snapshot the block
/// was built from. That copy holds the dictionary's own string instances, so an unchanged variable
/// compares by reference; a set, changed or removed one shows up as a different count, a missing
/// name or a different value. The spec's own changes must be equal too.
/// </para>
/// <para>
/// Concurrency: the slot is swapped atomically; a block is a <see cref="System.Runtime.InteropServices.SafeHandle"/>,
/// referenced by every spawn that uses it, and freed after the slot dropped it and the last spawn released it.
/// </para>
/// </summary>
internal static class EnvironmentCache
{
    private static Entry? s_last;

    /// <summary>The environment block for <paramref name="spec"/>, referenced once for the caller, who calls <c>DangerousRelease</c> after the spawn.</summary>
    internal static EnvironmentBlock Acquire(ProcessSpec spec)
    {
        var inherited = spec.InheritsEnvironment ? Environment.GetEnvironmentVariables() : null;
        var last = Volatile.Read(ref s_last);
        if (last is not null && last.Matches(spec, inherited) && TryAddRef(last.Block))
            return last.Block;

        var entry = Entry.Build(spec, inherited);
        var added = false;
        entry.Block.DangerousAddRef(ref added);
        Interlocked.Exchange(ref s_last, entry)?.Block.Dispose();
        return entry.Block;
    }

    private static bool TryAddRef(EnvironmentBlock block)
    {
        var added = false;
        try
        {
            block.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Another start replaced it just now: build a fresh one.
        }

        return added;
    }

    private sealed class Entry(bool inherits, ImmutableSortedDictionary<string, string?> changes, Dictionary<string, string>? inherited, EnvironmentBlock block)
    {
        internal EnvironmentBlock Block { get; } = block;

        internal static Entry Build(ProcessSpec spec, IDictionary? current)
        {
            var changes = spec.EnvironmentChanges;
            var variables = new List<KeyValuePair<string, string>>((current?.Count ?? 0) + changes.Count);
            Dictionary<string, string>? inherited = null;
            if (current is not null)
            {
                inherited = new Dictionary<string, string>(current.Count, StringComparer.Ordinal);
                var entries = current.GetEnumerator();
                while (entries.MoveNext())
                {
                    var name = (string)entries.Key;
                    var value = (string?)entries.Value ?? "";
                    inherited[name] = value;
                    if (!changes.ContainsKey(name))
                        variables.Add(new(name, value));
                }
            }

            foreach (var (name, value) in changes)
            {
                if (value is not null)
                    variables.Add(new(name, value));
            }

            return new Entry(spec.InheritsEnvironment, changes, inherited, EnvironmentBlock.Create(variables));
        }

        internal bool Matches(ProcessSpec spec, IDictionary? current) =>
            spec.InheritsEnvironment == inherits && SameChanges(spec.EnvironmentChanges) && SameInherited(current);

        private bool SameChanges(ImmutableSortedDictionary<string, string?> other)
        {
            if (ReferenceEquals(other, changes))
                return true;
            if (other.Count != changes.Count)
                return false;
            foreach (var (name, value) in other)
            {
                if (!changes.TryGetValue(name, out var mine) || !string.Equals(mine, value, StringComparison.Ordinal))
                    return false;
            }

            return true;
        }

        private bool SameInherited(IDictionary? current)
        {
            if (current is null || inherited is null)
                return current is null && inherited is null;
            if (current.Count != inherited.Count)
                return false;
            var entries = current.GetEnumerator();
            while (entries.MoveNext())
            {
                if (!inherited.TryGetValue((string)entries.Key, out var value))
                    return false;
                var now = (string?)entries.Value ?? "";
                if (!ReferenceEquals(now, value) && !string.Equals(now, value, StringComparison.Ordinal))
                    return false;
            }

            return true;
        }
    }
}
