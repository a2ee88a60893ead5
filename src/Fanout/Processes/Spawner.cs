using System.Runtime.InteropServices;
using System.Text;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Starts a program with <c>posix_spawn</c> (glibc uses <c>clone(CLONE_VM|CLONE_VFORK)</c>, so the
/// cost does not grow with our heap) and reports exec failures as errno from the call itself.
/// The child gets exactly the descriptors named here on 0, 1 and 2 (and any passed ones on 3, 4, …); everything else we hold is
/// close-on-exec. Signal dispositions and the mask are reset, because .NET ignores SIGPIPE and an
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
        string path, IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> envp, string? workingDirectory,
        ChildFd stdin, ChildFd stdout, ChildFd stderr, bool mergeStderr, ProcessGroupMode group, int joinGroup,
        IReadOnlyList<int>? passed = null)
    {
        var strings = new NativeStrings(path, argv, envp, workingDirectory);
        var fileActions = NativeMemory.AllocZeroed(Libc.SpawnFileActionsSize);
        var attr = NativeMemory.AllocZeroed(Libc.SpawnAttrSize);
        var sigset = stackalloc byte[Libc.SigSetSize];
        try
        {
            Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            Check(Libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
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
            AddCloseFrom(fileActions, 3 + passedCount);
            if (strings.WorkingDirectory is not null)
                Check(Libc.posix_spawn_file_actions_addchdir_np(fileActions, strings.WorkingDirectory), "posix_spawn_file_actions_addchdir_np");

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
            Check(Libc.sigemptyset(sigset), "sigemptyset");
            Check(Libc.posix_spawnattr_setsigmask(attr, sigset), "posix_spawnattr_setsigmask");
            Check(Libc.sigemptyset(sigset), "sigemptyset");
            foreach (var signal in SignalsToReset)
                Check(Libc.sigaddset(sigset, signal), "sigaddset");
            Check(Libc.posix_spawnattr_setsigdefault(attr, sigset), "posix_spawnattr_setsigdefault");

            int pid;
            var rc = Libc.posix_spawn(&pid, strings.Path, fileActions, attr, strings.Argv, strings.Envp);
            return rc == 0 ? pid : -rc;
        }
        finally
        {
            _ = Libc.posix_spawn_file_actions_destroy(fileActions);
            _ = Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            strings.Free();
        }
    }

    /// <summary>
    /// The signals a child gets back at their default action. A handled signal is reset by exec
    /// itself; only an ignored one survives exec. So: SIGPIPE (which .NET ignores), SIGXFSZ, and
    /// whatever was ignored in this process when it first spawned (read from /proc/self/status).
    /// Resetting all 64 would cost 64 system calls in the child while the parent waits for exec.
    /// </summary>
    private static readonly int[] SignalsToReset = ReadSignalsToReset();

    private static bool s_closeFromMissing;

    private static int[] ReadSignalsToReset()
    {
        ulong ignored = (1UL << (13 - 1)) | (1UL << (25 - 1));
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                    ignored |= Convert.ToUInt64(line[7..].Trim(), 16);
            }
        }
        catch (IOException)
        {
        }

        // 32 and 33 are glibc's own real-time signals, which posix_spawn manages itself.
        return [.. Enumerable.Range(1, 64).Where(signal => signal is not (32 or 33) && (ignored & (1UL << (signal - 1))) != 0)];
    }

    /// <summary>
    /// Closes every descriptor from <paramref name="first"/> (3 unless extra ones are passed) in the child. Ours are close-on-exec already, but this
    /// process may have inherited descriptors without that flag, and Python's close_fds=True
    /// taught everyone to expect a clean child. Needs glibc 2.34; older ones skip it.
    /// </summary>
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

    /// <summary>Every string the spawn needs, NUL-terminated in one native block, with the pointer arrays.</summary>
    private readonly struct NativeStrings
    {
        private readonly byte* _block;

        internal NativeStrings(string path, IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> envp, string? workingDirectory)
        {
            var size = Size(path) + Size(workingDirectory);
            foreach (var s in argv)
                size += Size(s);
            foreach (var (name, value) in envp)
                size += Size(name) + Size(value);
            var pointers = (argv.Count + 1 + envp.Count + 1) * sizeof(byte*);
            _block = (byte*)NativeMemory.Alloc((nuint)(size + pointers));
            var table = (byte**)_block;
            var next = _block + pointers;
            Argv = table;
            Envp = table + argv.Count + 1;
            for (var i = 0; i < argv.Count; i++)
                Argv[i] = Put(argv[i], ref next);
            Argv[argv.Count] = null;
            for (var i = 0; i < envp.Count; i++)
                Envp[i] = Put(envp[i].Key, envp[i].Value, ref next);
            Envp[envp.Count] = null;
            Path = Put(path, ref next);
            WorkingDirectory = workingDirectory is null ? null : Put(workingDirectory, ref next);
        }

        internal byte* Path { get; }

        internal byte* WorkingDirectory { get; }

        internal byte** Argv { get; }

        internal byte** Envp { get; }

        internal void Free() => NativeMemory.Free(_block);

        private static int Size(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s) + 1;

        /// <summary>Writes "name=value" without making the string.</summary>
        private static byte* Put(string name, string value, ref byte* next)
        {
            var start = Put(name, ref next);
            next[-1] = (byte)'=';
            Put(value, ref next);
            return start;
        }

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
