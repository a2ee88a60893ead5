using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fanout.Cli;

/// <summary>
/// <c>fanout sem</c>: GNU parallel's <c>sem</c>, a counting semaphore across separate commands,
/// for shell loops: <c>for f in *.fq; do fanout sem -j 4 gzip "$f"; done; fanout sem --wait</c>.
/// </summary>
/// <remarks>
/// Each slot is a file locked with <c>flock</c>, which the kernel releases when the last
/// descriptor on it closes, however the holder ends: a killed job never keeps its slot. A job
/// run in the background holds its slot through its standard input, the slot's (empty) file,
/// so no process of ours has to stay behind to hold it; a job that closes its stdin gives its
/// slot back early.
/// </remarks>
internal static partial class SemCommand
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int ReadOnly = 0;
    private const int CreateIfMissing = 0x40;
    private const int CloseOnExec = 0x80000;
    private const int Interrupted = 4;
    private const int WouldBlock = 11;

    private static readonly Option<string> Id = new("--id") { Description = "The semaphore's name: every command with the same id shares its slots (default: 'default')." };
    private static readonly Option<int> Jobs = new("--jobs", "-j") { Description = "How many jobs of this id may run at once (default 1: one at a time).", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> Foreground = new("--fg") { Description = "Run the job in the foreground: wait for it, with its stdin, and exit with its exit code. Without it the job runs in the background once a slot is free, and fanout sem returns at once." };
    private static readonly Option<double> Timeout = new("--semaphore-timeout", "--st", "--semaphoretimeout") { HelpName = "SECS", Description = "Wait at most SECS for a slot. Positive: then run the job anyway, in a slot beyond -j (GNU's 'stealing the semaphore'), which --wait still waits for. Negative: then give up and exit 1. Default: wait as long as it takes." };
    private static readonly Option<bool> WaitForAll = new("--wait") { Description = "Run no job: wait until every job of this id has finished." };
    private static readonly Argument<string[]> CommandWords = new("command") { Description = "The job: a shell command line, its words joined by spaces as GNU parallel joins them.", Arity = ArgumentArity.ZeroOrMore };

    /// <summary>The option words before the job's command, and the command's words.</summary>
    internal static (string[] Options, string[] Command) Split(string[] words)
    {
        var i = 0;
        while (i < words.Length)
        {
            var word = words[i];
            if (word == "--")
                return (words[..i], words[(i + 1)..]);
            if (word is "--id" or "-j" or "--jobs" or "--semaphore-timeout" or "--st" or "--semaphoretimeout")
                i += 2;
            else if (word.StartsWith('-') && word.Length > 1)
                i++;
            else
                break;
        }

        return (words[..Math.Min(i, words.Length)], words[Math.Min(i, words.Length)..]);
    }

    internal static Command Create()
    {
        var command = new Command("sem", "Run a command when one of the -j slots of a named semaphore is free, across separate invocations (GNU parallel's sem). Slots are released when a job ends, however it ends.\n\nExamples:\n  for f in *.fq; do fanout sem -j 4 gzip \"$f\"; done; fanout sem --wait\n  fanout sem --id db --fg ./migrate.sh      # one at a time, in the foreground\n  fanout sem --st -60 ./nightly.sh          # give up if no slot is free within a minute")
        {
            Id, Jobs, Foreground, Timeout, WaitForAll, CommandWords,
        };
        command.SetAction(_ => 0);
        return command;
    }

    /// <summary>Runs <c>fanout sem</c> with the parsed options and the job's words.</summary>
    internal static async Task<int> RunAsync(ParseResult parsed, string[] words)
    {
        var id = parsed.GetValue(Id) ?? "default";
        if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal) || id is "." or "..")
            throw new UsageException($"fanout sem --id '{id}': a semaphore's name is a non-empty word without '/'.");
        var jobs = parsed.GetValue(Jobs);
        if (jobs < 1)
            throw new UsageException($"fanout sem -j {jobs.ToString(CultureInfo.InvariantCulture)}: at least 1 job at a time.");
        var timeout = parsed.GetValue(Timeout);
        if (!double.IsFinite(timeout) || Math.Abs(timeout) > int.MaxValue / 1000)
            throw new UsageException($"fanout sem --semaphore-timeout {timeout.ToString(CultureInfo.InvariantCulture)}: give seconds, positive to take a slot anyway after them, negative to give up.");
        var folder = Folder(id);
        if (parsed.GetValue(WaitForAll))
        {
            if (words.Length > 0)
                throw new UsageException("fanout sem --wait waits for the jobs already started; it runs no command of its own.");
            if (timeout != 0)
                throw new UsageException("fanout sem --semaphore-timeout limits the wait for a slot to run a job in; --wait runs no job.");
            AwaitEverySlot(folder);
            return 0;
        }

        if (words.Length == 0)
            throw new UsageException("fanout sem: no command. Give the job to run, such as 'fanout sem -j 4 gzip big.txt', or --wait.");
        var slot = Acquire(folder, jobs, timeout == 0 ? null : TimeSpan.FromSeconds(Math.Abs(timeout)));
        if (slot is null && timeout < 0)
        {
            await Console.Error.WriteLineAsync($"fanout sem: no slot of semaphore '{id}' came free within {(-timeout).ToString(CultureInfo.InvariantCulture)} s; giving up (--semaphore-timeout {timeout.ToString(CultureInfo.InvariantCulture)}).").ConfigureAwait(false);
            return 1;
        }

        if (slot is null)
        {
            slot = AcquireBeyond(folder, jobs);
            await Console.Error.WriteLineAsync($"fanout sem: no slot of semaphore '{id}' came free within {timeout.ToString(CultureInfo.InvariantCulture)} s; running the job anyway (--semaphore-timeout).").ConfigureAwait(false);
        }

        var job = ProcessSpec.Shell(string.Join(' ', words));
        if (!parsed.GetValue(Foreground))
        {
            // The job's stdin is the slot's file, so the job (and whatever inherits its stdin) holds the slot.
            using (slot)
            using (job.WithStdin(Stdio.FromHandle(slot)).Start())
            {
            }

            return 0;
        }

        using (slot)
        {
            // In the caller's process group, so Ctrl-C and the terminal reach the job as they would
            // a command run in its place; and it dies with fanout, so the slot is never free while it runs.
            using var child = job.WithProcessGroup(ProcessGroupMode.Inherit).WithKillOnParentExit().Start();
            var status = await child.WaitAsync().ConfigureAwait(false);
            return status.ShellCode;
        }
    }

    /// <summary>Where a semaphore's slot files live: ~/.fanout/semaphores/ID.</summary>
    private static string Folder(string id)
    {
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var folder = Path.Combine(home, ".fanout", "semaphores", id);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FanoutException($"cannot make the semaphore folder '{folder}': {e.Message}");
        }

        return folder;
    }

    /// <summary>
    /// A free slot of the first <paramref name="jobs"/>, locked; waits for one when all are taken,
    /// for at most <paramref name="timeout"/> (null: as long as it takes, when it never returns null).
    /// </summary>
    private static SafeFileHandle? Acquire(string folder, int jobs, TimeSpan? timeout)
    {
        if (TryAcquireFree(folder, 0, jobs) is { } free)
            return free;

        // Every slot is taken: wait on all of them at once, keep the first that frees up, and give
        // back any other this process gets (or any at all, once the wait has timed out).
        var first = new TaskCompletionSource<SafeFileHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var slot = 0; slot < jobs; slot++)
        {
            var handle = OpenSlot(folder, slot);
            new Thread(() =>
            {
                if (TryLock(handle, blocking: true) && first.TrySetResult(handle))
                    return;
                handle.Dispose();
            }) { IsBackground = true, Name = $"fanout sem slot {slot}" }.Start();
        }

        if (timeout is { } limit && !first.Task.Wait(limit) && first.TrySetCanceled())
            return null;
        return first.Task.GetAwaiter().GetResult();
    }

    /// <summary>The first free slot numbered from <paramref name="jobs"/> up, locked: a job that runs although all -j slots are taken still holds a slot, so --wait waits for it.</summary>
    private static SafeFileHandle AcquireBeyond(string folder, int jobs) => TryAcquireFree(folder, jobs, int.MaxValue)!;

    /// <summary>The first slot from <paramref name="first"/> to before <paramref name="end"/> that is free, locked; null when all are taken.</summary>
    private static SafeFileHandle? TryAcquireFree(string folder, int first, int end)
    {
        for (var slot = first; slot < end; slot++)
        {
            var handle = OpenSlot(folder, slot);
            if (TryLock(handle, blocking: false))
                return handle;
            handle.Dispose();
        }

        return null;
    }

    /// <summary>Locks every slot file of the semaphore in turn, then lets go: every job started before has ended.</summary>
    private static void AwaitEverySlot(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            if (!int.TryParse(Path.GetFileName(path), NumberStyles.None, CultureInfo.InvariantCulture, out var slot))
                continue;
            using var handle = OpenSlot(folder, slot);
            TryLock(handle, blocking: true);
        }
    }

    private static SafeFileHandle OpenSlot(string folder, int slot)
    {
        var path = Path.Combine(folder, slot.ToString(CultureInfo.InvariantCulture));
        // Opened without .NET's FileStream, whose own advisory lock would make a taken slot fail to open.
        var fd = open(path, ReadOnly | CreateIfMissing | CloseOnExec, Convert.ToInt32("644", 8));
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new FanoutException($"cannot open the semaphore slot '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    private static bool TryLock(SafeFileHandle handle, bool blocking)
    {
        while (true)
        {
            if (flock(handle, LockExclusive | (blocking ? 0 : LockNonBlocking)) == 0)
                return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interrupted)
                continue;
            if (errno == WouldBlock)
                return false;
            throw new FanoutException($"cannot lock a semaphore slot: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

#pragma warning disable SA1300, IDE1006 // libc's names
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(SafeFileHandle fd, int operation);
#pragma warning restore SA1300, IDE1006
}
