using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Finds the file a program name refers to, as <c>execvp</c> would: a name with a slash is a path
/// (relative to the child's working directory), any other name is searched in PATH. Doing it here
/// rather than in the child means a missing program is an exception that names it, not exit 127.
/// <para>
/// It runs at every start, so the common cases are cheap: a path to a regular file that everyone
/// may execute is one stat, and a PATH search is remembered by <see cref="PathSearchCache"/>.
/// Neither can start a wrong program: when the spawn still fails (the file went away, or an ACL
/// forbids it), <see cref="Diagnose"/> checks everything afresh and throws the same exception the
/// full checks would have thrown before the spawn.
/// </para>
/// </summary>
internal static class ExecutableResolver
{
    private const string DefaultSearchPath = "/bin:/usr/bin";

    /// <summary>The path to execute, or throws <see cref="ProcessStartException"/> naming the program and the reason.</summary>
    internal static string Resolve(string program, string? searchPath, string? workingDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = FullName(program, workingDirectory);
            return IsExecutableByAll(full) ? program : CheckPath(program, full);
        }

        var path = OrDefault(searchPath);
        return PathSearchCache.Lookup(program, path) ?? Search(program, path);
    }

    /// <summary>
    /// Throws <see cref="ProcessStartException"/> when <paramref name="program"/> cannot be executed,
    /// checked afresh without any shortcut; returns when it looks fine. Called after a failed spawn.
    /// </summary>
    internal static void Diagnose(string program, string? searchPath, string? workingDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
            CheckPath(program, FullName(program, workingDirectory));
        else
            Search(program, OrDefault(searchPath));
    }

    private static string OrDefault(string? searchPath) => string.IsNullOrEmpty(searchPath) ? DefaultSearchPath : searchPath;

    private static string FullName(string program, string? workingDirectory) =>
        workingDirectory is null || Path.IsPathRooted(program) ? program : Path.Combine(workingDirectory, program);

    /// <summary>A regular file with every execute bit set: nobody needs access() to know it may run it.</summary>
    private static unsafe bool IsExecutableByAll(string full)
    {
        Libc.Statx stat;
        return Libc.statx(Libc.AT_FDCWD, full, 0, Libc.STATX_TYPE | Libc.STATX_MODE, &stat) == 0
            && (stat.Mode & Libc.S_IFMT) == Libc.S_IFREG
            && (stat.Mode & 0b001_001_001) == 0b001_001_001;
    }

    private static string CheckPath(string program, string full)
    {
        if (Directory.Exists(full))
            throw new ProcessStartException(program, "it is a directory, not an executable file", Libc.EACCES);
        if (!File.Exists(full))
            throw new ProcessStartException(program, $"no such file ({Path.GetFullPath(full)})", Libc.ENOENT);
        if (Libc.access(full, Libc.X_OK) != 0)
            throw new ProcessStartException(program, $"permission denied: {Path.GetFullPath(full)} is not executable", Libc.EACCES);
        return program;
    }

    private static string Search(string program, string path)
    {
        string? notExecutable = null;
        // What the remembered answer depends on: each directory without the name, each candidate passed over, the file found.
        var probes = new List<string>();
        foreach (var entry in path.Split(':'))
        {
            var directory = entry.Length == 0 ? "." : entry;
            var candidate = Path.Combine(directory, program);
            if (!File.Exists(candidate))
            {
                probes.Add(directory);
                continue;
            }

            probes.Add(candidate);
            if (Libc.access(candidate, Libc.X_OK) == 0)
            {
                PathSearchCache.Store(program, path, candidate, probes);
                return candidate;
            }

            notExecutable ??= candidate;
        }

        throw notExecutable is not null
            ? new ProcessStartException(program, $"permission denied: {notExecutable} is not executable", Libc.EACCES)
            : new ProcessStartException(program, $"not found in PATH ({path})", Libc.ENOENT);
    }
}
