using System.Runtime.InteropServices;
using System.Text;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Starts a program with <c>posix_spawn</c> (glibc uses <c>clone(CLONE_VM|CLONE_VFORK)</c>, so the
/// cost does not grow with our heap) and reports exec failures as errno from the call itself.
/// The child gets exactly the descriptors named here on 0, 1 and 2 (and any passed ones on 3, 4, …); everything else we hold is
/// close-on-exec (see <see cref="CloseStrays"/>). Signal dispositions and the mask are reset, because .NET ignores SIGPIPE and an
/// ignored signal survives exec.
/// </summary>
internal static unsafe class Spawner
{
    /// <summary>What the child's descriptor 0, 1 or 2 becomes.</summary>
    internal readonly record struct ChildFd(int Source, bool DevNull)
    {
        internal static ChildFd Inherit => new(-1, false);

        internal static ChildFd Null => new(-1, true);

        internal static ChildFd From(int fd) => new(fd, false);
    }

    /// <summary>Spawns; returns the pid, or minus errno when the spawn (or exec) failed.</summary>
    internal static int Spawn(
        string path, IReadOnlyList<string> argv, EnvironmentBlock environment, string? workingDirectory,
        ChildFd stdin, ChildFd stdout, ChildFd stderr, bool mergeStderr, ProcessGroupMode group, int joinGroup,
        IReadOnlyList<int>? passed = null)
    {
        // Small argument lists (nearly all) are marshalled on the stack: no allocation per spawn.
        var size = NativeStrings.SizeOf(path, argv, workingDirectory);
        var onHeap = size > MaxStackStrings;
        byte* block;
        if (onHeap)
        {
            block = (byte*)NativeMemory.Alloc((nuint)size);
        }
        else
        {
            var onStack = stackalloc byte[size];
            block = onStack;
        }

        var strings = new NativeStrings(block, path, argv, workingDirectory);
        var fileActions = stackalloc byte[Libc.SpawnFileActionsSize];
        var ownAttr = stackalloc byte[Libc.SpawnAttrSize];
        var ownAttrReady = false;
        var fileActionsReady = false;
        var envAdded = false;
        try
        {
            Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            fileActionsReady = true;
            AddFd(fileActions, stdin, 0);
            AddFd(fileActions, stdout, 1);
            if (mergeStderr)
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, 1, 2), "posix_spawn_file_actions_adddup2");
            else
                AddFd(fileActions, stderr, 2);
            // Extra descriptors become 3, 4, …; callers make sure no source lies in that range.
            var passedCount = passed?.Count ?? 0;
            for (var i = 0; i < passedCount; i++)
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, passed![i], 3 + i), "posix_spawn_file_actions_adddup2");
            CloseStrays(fileActions, 3 + passedCount);
            if (strings.WorkingDirectory is not null)
                Check(Libc.posix_spawn_file_actions_addchdir_np(fileActions, strings.WorkingDirectory), "posix_spawn_file_actions_addchdir_np");

            void* attr;
            if (joinGroup == 0)
            {
                attr = SharedAttributes[(int)group];
            }
            else
            {
                attr = InitAttributes(ownAttr, group, joinGroup);
                ownAttrReady = true;
            }

            environment.DangerousAddRef(ref envAdded);
            int pid;
            var rc = Libc.posix_spawn(&pid, strings.Path, fileActions, attr, strings.Argv, environment.Envp);
            return rc == 0 ? pid : -rc;
        }
        finally
        {
            if (envAdded)
                environment.DangerousRelease();
            if (fileActionsReady)
                _ = Libc.posix_spawn_file_actions_destroy(fileActions);
            if (ownAttrReady)
                _ = Libc.posix_spawnattr_destroy(ownAttr);
            if (onHeap)
                NativeMemory.Free(block);
        }
    }

    private const int MaxStackStrings = 4096;

    /// <summary>
    /// The signals a child gets back at their default action: all of them. glibc's child visits
    /// every signal anyway, with one call to set the default for a signal named here and two (read,
    /// then set) for any other, all while the parent waits for the exec, so naming them all halves
    /// that work. A handled signal would be reset by exec; an ignored one would survive it, and .NET
    /// ignores SIGPIPE. SIGKILL and SIGSTOP cannot be changed; 32 and 33 are glibc's own.
    /// </summary>
    private static readonly int[] SignalsToReset = [.. Enumerable.Range(1, 64).Where(signal => signal is not (9 or 19 or 32 or 33))];

    /// <summary>
    /// Attributes for a spawn that joins no existing group, one per <see cref="ProcessGroupMode"/>:
    /// built once and only read by <c>posix_spawn</c>, so every spawn shares them.
    /// </summary>
    private static readonly void*[] SharedAttributes = CreateSharedAttributes();

    private static void*[] CreateSharedAttributes()
    {
        var modes = Enum.GetValues<ProcessGroupMode>();
        var attributes = new void*[modes.Max(mode => (int)mode) + 1];
        foreach (var mode in modes)
            attributes[(int)mode] = InitAttributes(NativeMemory.AllocZeroed(Libc.SpawnAttrSize), mode, 0);
        return attributes;
    }

    private static void* InitAttributes(void* attr, ProcessGroupMode group, int joinGroup)
    {
        new Span<byte>(attr, Libc.SpawnAttrSize).Clear();
        Check(Libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
        short flags = Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF;
        switch (group)
        {
            case ProcessGroupMode.NewGroup:
                flags |= Libc.POSIX_SPAWN_SETPGROUP;
                Check(Libc.posix_spawnattr_setpgroup(attr, joinGroup), "posix_spawnattr_setpgroup");
                break;
            case ProcessGroupMode.NewSession:
                flags |= Libc.POSIX_SPAWN_SETSID;
                break;
        }

        Check(Libc.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags");
        var sigset = stackalloc byte[Libc.SigSetSize];
        Check(Libc.sigemptyset(sigset), "sigemptyset");
        Check(Libc.posix_spawnattr_setsigmask(attr, sigset), "posix_spawnattr_setsigmask");
        foreach (var signal in SignalsToReset)
            Check(Libc.sigaddset(sigset, signal), "sigaddset");
        Check(Libc.posix_spawnattr_setsigdefault(attr, sigset), "posix_spawnattr_setsigdefault");
        return attr;
    }

    /// <summary>
    /// Closes in the child what close-on-exec would not: the <see cref="StrayDescriptors"/> (Python's
    /// close_fds=True taught everyone to expect a clean child), which include any caller's handle
    /// wired to this child's 0, 1, 2 or passed descriptors; Fanout's own are close-on-exec. Everything else is left to exec's own close-on-exec, which runs after
    /// the kernel has let the waiting parent go: closing all from 3 up before exec (closefrom) would
    /// make every spawn cost the parent time in proportion to the descriptors it holds, 2 per running
    /// child with captured output, so starting the n-th of many children would slow down with n.
    /// Without /proc to find the inherited ones, closefrom it is. A descriptor that native code
    /// opens without close-on-exec and never gives to a child through Fanout is inherited, as by any exec.
    /// </summary>
    private static void CloseStrays(void* fileActions, int first)
    {
        if (StrayDescriptors.Current is not { } strays)
        {
            AddCloseFrom(fileActions, first);
            return;
        }

        foreach (var fd in strays)
            AddClose(fileActions, fd, first);
    }

    private static void AddClose(void* fileActions, int fd, int first)
    {
        // Below first are the child's own 0, 1, 2 and passed descriptors, set by dup2 before this.
        // glibc refuses a descriptor at or above RLIMIT_NOFILE (lowered since it was opened): exec's close-on-exec is all there is then.
        if (fd >= first && Libc.posix_spawn_file_actions_addclose(fileActions, fd) is var rc and not 0 and not Libc.EBADF)
            throw Errno.Exception(rc, "posix_spawn_file_actions_addclose");
    }

    private static bool s_closeFromMissing;

    /// <summary>Closes every descriptor from <paramref name="first"/> in the child. Needs glibc 2.34; older ones skip it.</summary>
    private static void AddCloseFrom(void* fileActions, int first)
    {
        if (s_closeFromMissing)
            return;
        try
        {
            Check(Libc.posix_spawn_file_actions_addclosefrom_np(fileActions, first), "posix_spawn_file_actions_addclosefrom_np");
        }
        catch (EntryPointNotFoundException)
        {
            s_closeFromMissing = true;
        }
    }

    private static void AddFd(void* fileActions, ChildFd fd, int target)
    {
        if (fd.DevNull)
        {
            var devNull = "/dev/null\0"u8;
            fixed (byte* p = devNull)
                Check(Libc.posix_spawn_file_actions_addopen(fileActions, target, p, Libc.O_RDWR, 0), "posix_spawn_file_actions_addopen");
        }
        else if (fd.Source >= 0)
        {
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, fd.Source, target), "posix_spawn_file_actions_adddup2");
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
            throw Errno.Exception(rc, what);
    }

    /// <summary>The program, argv and working directory, NUL-terminated in one block the caller provides, after the argv pointer array.</summary>
    private readonly struct NativeStrings
    {
        internal NativeStrings(byte* block, string path, IReadOnlyList<string> argv, string? workingDirectory)
        {
            var table = (byte**)block;
            var next = block + ((argv.Count + 1) * sizeof(byte*));
            Argv = table;
            for (var i = 0; i < argv.Count; i++)
                Argv[i] = Put(argv[i], ref next);
            Argv[argv.Count] = null;
            Path = Put(path, ref next);
            WorkingDirectory = workingDirectory is null ? null : Put(workingDirectory, ref next);
        }

        internal byte* Path { get; }

        internal byte* WorkingDirectory { get; }

        internal byte** Argv { get; }

        internal static int SizeOf(string path, IReadOnlyList<string> argv, string? workingDirectory)
        {
            var size = ((argv.Count + 1) * sizeof(byte*)) + Size(path) + Size(workingDirectory);
            foreach (var s in argv)
                size += Size(s);
            return size;
        }

        private static int Size(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s) + 1;

        private static byte* Put(string s, ref byte* next)
        {
            var start = next;
            var written = Encoding.UTF8.GetBytes(s, new Span<byte>(next, int.MaxValue));
            next[written] = 0;
            next += written + 1;
            return start;
        }
    }
}
