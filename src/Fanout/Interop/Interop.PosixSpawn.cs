using System.Runtime.InteropServices;

namespace Fanout.Interop;

internal static partial class Libc
{
    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 bytes on 64-bit;
    // both are opaque, so callers reserve generously and let the C library initialise them.
    internal const int SpawnFileActionsSize = 256;
    internal const int SpawnAttrSize = 1024;
    internal const int SigSetSize = 128;

    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const short POSIX_SPAWN_SETSID = 0x80;

    [LibraryImport(Name, EntryPoint = "posix_spawn")]
    internal static unsafe partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addopen")]
    internal static unsafe partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, int mode);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    internal static unsafe partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    internal static unsafe partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addclose")]
    internal static unsafe partial int posix_spawn_file_actions_addclose(void* fileActions, int fd);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_init")]
    internal static unsafe partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_destroy")]
    internal static unsafe partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setflags")]
    internal static unsafe partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setpgroup")]
    internal static unsafe partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigmask")]
    internal static unsafe partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static unsafe partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Name, EntryPoint = "sigemptyset")]
    internal static unsafe partial int sigemptyset(void* sigset);

    [LibraryImport(Name, EntryPoint = "sigaddset")]
    internal static unsafe partial int sigaddset(void* sigset, int signal);

    [LibraryImport(Name, EntryPoint = "sigfillset")]
    internal static unsafe partial int sigfillset(void* sigset);

    [LibraryImport(Name, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int access(string path, int mode);

    internal const int X_OK = 1;
}
