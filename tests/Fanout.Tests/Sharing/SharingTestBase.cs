namespace Fanout.Tests;

/// <summary>
/// Sharing specs derive from this: besides the children check, no shared object this test process
/// created (a name Fanout made up with its pid, or one starting with <see cref="TestName"/>'s prefix)
/// may be left in /dev/shm. Leftovers are unlinked, then the test fails naming them.
/// </summary>
public abstract class SharingTestBase : ProcessTestBase
{
    private static readonly string Mine = $"{SharedMemory.Prefix}{Environment.ProcessId}-";

    /// <summary>A unique name with this process's prefix, so the leftover check covers named objects too.</summary>
    protected static string TestName(string what) => $"{Mine}{what}-{Guid.NewGuid():N}"[..Math.Min(100, Mine.Length + what.Length + 33)];

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
            return;
        var left = Directory.EnumerateFiles("/dev/shm", Mine + "*").Select(Path.GetFileName).ToList();
        foreach (var name in left)
            File.Delete(Path.Combine("/dev/shm", name!));
        Assert.True(left.Count == 0, "Shared objects left behind by the test: " + string.Join(", ", left));
    }
}
