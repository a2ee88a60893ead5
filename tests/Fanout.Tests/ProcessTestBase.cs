using System.Globalization;

namespace Fanout.Tests;

/// <summary>
/// Every process test derives from this: after the test, no child of the test process may be left
/// running or unreaped (a zombie). Leftovers are killed, then the test fails naming them.
/// </summary>
public abstract class ProcessTestBase : IDisposable
{
    /// <summary>The children of this process, with their state letter (Z for a zombie).</summary>
    internal static List<(int Pid, char State, string Command)> Children()
    {
        var me = Environment.ProcessId;
        var found = new List<(int, char, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(System.IO.Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == me)
                found.Add((pid, fields[0][0], stat[(stat.IndexOf('(') + 1)..close]));
        }

        return found;
    }

    /// <summary>True while a process with this pid exists and is not a zombie.</summary>
    internal static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, up to <paramref name="limit"/>; true if it did.</summary>
    internal static bool Eventually(Func<bool> condition, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
                return false;
            Thread.Sleep(10);
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Checks for leftovers.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        // A child killed at the end of a test may need a moment to be reaped by the reactor.
        if (Eventually(() => Children().Count == 0, TimeSpan.FromSeconds(3)))
            return;
        var left = Children();
        foreach (var (pid, _, _) in left)
            Interop.Libc.kill(pid, 9);
        Assert.Fail("Children left behind by the test: " + string.Join(", ", left.Select(c => $"{c.Pid} {c.Command} ({c.State})")));
    }
}
