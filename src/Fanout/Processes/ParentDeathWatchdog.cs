using System.Globalization;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// Kills our children's process groups when this process dies, however it dies — even by SIGKILL.
/// <para>
/// One small <c>/bin/sh</c> script per process, started on first use and detached (its parent
/// exits at once, so it is nobody's child of ours), blocks reading a pipe whose write end only
/// this process holds and to which nothing is ever written. When we die the kernel closes the
/// pipe; the script reads end of file and sends SIGKILL to every group listed in a table it
/// shares with us: a memory file (<c>memfd</c>) of fixed-width lines, one slot per child that
/// must not outlive us, blank when free.
/// </para>
/// <para>
/// Listing a group is one <c>pwrite</c> into the table, which wakes nobody: the script costs no
/// CPU while we live, however many children come and go (a line per child through the pipe
/// cost the script a read per byte). It is cheaper than the parent-death signal through
/// <c>setpriv</c>, a whole extra exec per child, and it reaches grandchildren in the group too.
/// </para>
/// </summary>
internal static class ParentDeathWatchdog
{
    // The table is the script's descriptor 3 and the pipe its descriptor 4 (a background list's
    // stdin is /dev/null before its own redirections). Blank lines split into no words.
    private const string Script = """
        trap '' HUP INT QUIT TERM
        read -r _
        while read -r group; do
          [ -n "$group" ] && kill -KILL -"$group" 2>/dev/null
        done < /proc/self/fd/3
        """;

    // Ten columns hold any pid (at most 2^22 on Linux, 10 digits for an int), then a newline.
    private const int SlotWidth = 11;

    private static readonly Lock Gate = new();
    private static readonly Stack<int> FreeSlots = new();
    private static Table? s_table;
    private static int s_slotsUsed;

    /// <summary>Starts the script, if it is not running yet.</summary>
    internal static void EnsureStarted()
    {
        lock (Gate)
            s_table ??= Table.Start();
    }

    /// <summary>Lists a process group to kill if we die; returns the listing's slot, for <see cref="Unregister"/>.</summary>
    internal static int Register(int processGroup)
    {
        int slot;
        Table table;
        lock (Gate)
        {
            table = s_table ?? throw new InvalidOperationException("The watchdog was not started.");
            slot = FreeSlots.Count > 0 ? FreeSlots.Pop() : s_slotsUsed++;
        }

        try
        {
            table.Write(slot, processGroup.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            lock (Gate)
                FreeSlots.Push(slot);
            throw;
        }

        return slot;
    }

    /// <summary>Takes a listing off (its group's leader was reaped), so a later process that gets the id is safe.</summary>
    internal static void Unregister(int slot)
    {
        Table table;
        lock (Gate)
            table = s_table!;
        try
        {
            table.Write(slot, string.Empty);
        }
        catch (IOException)
        {
            // Called while reaping, where an exception has nowhere to go. The slot stays listed and
            // out of use: at worst a later group with the same id is killed when we die.
            return;
        }

        lock (Gate)
            FreeSlots.Push(slot);
    }

    /// <summary>The shared table and the pipe that keeps the script waiting.</summary>
    private sealed class Table(SafeFileHandle memory, SafeFileHandle pipe)
    {
        // Held for the life of the process: closing it is what tells the script we are gone.
        internal SafeFileHandle Pipe { get; } = pipe;

        internal void Write(int slot, string group)
        {
            Span<byte> line = stackalloc byte[SlotWidth];
            line.Fill((byte)' ');
            for (var i = 0; i < group.Length; i++)
                line[i] = (byte)group[i];
            line[^1] = (byte)'\n';
            RandomAccess.Write(memory, line, (long)slot * SlotWidth);
        }

        internal static unsafe Table Start()
        {
            var fd = Libc.memfd_create("fanout-watchdog", Libc.MFD_CLOEXEC);
            if (fd < 0)
                throw Errno.Exception("memfd_create", "the parent-death watchdog's table");
            var memory = new SafeFileHandle(fd, ownsHandle: true);
            var fds = stackalloc int[2];
            if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
                throw Errno.Exception("pipe2", "the parent-death watchdog");
            using var read = new SafeFileHandle(fds[0], ownsHandle: true);
            var write = new SafeFileHandle(fds[1], ownsHandle: true);
            // "( … ) &" detaches the script: the intermediate shell exits at once and is reaped here.
            var launcher = ProcessSpec.Shell("exec 4<&0\n(" + Script + "\n) <&4 >/dev/null 2>&1 &")
                .WithStdin(Stdio.FromHandle(read))
                .WithStdout(Stdio.Null)
                .WithStderr(Stdio.Null)
                .WithPassedHandles(memory)
                .WithEnvironmentReplaced([new("PATH", "/usr/bin:/bin")]);
            using var child = ChildProcess.Start(launcher);
            child.Wait();
            return new Table(memory, write);
        }
    }
}
