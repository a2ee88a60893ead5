using Fanout.Interop;

namespace Fanout;

/// <summary>
/// Finds the file a program name refers to, as <c>execvp</c> would: a name with a slash is a path
/// (relative to the child's working directory), any other name is searched in PATH. Doing it here
/// rather than in the child means a missing program is an exception that names it, not exit 127.
/// </summary>
internal static class ExecutableResolver
{
    private const string DefaultSearchPath = "/bin:/usr/bin";

    /// <summary>The path to execute, or throws <see cref="ProcessStartException"/> naming the program and the reason.</summary>
    internal static string Resolve(string program, string? searchPath, string? workingDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = workingDirectory is null || Path.IsPathRooted(program) ? program : Path.Combine(workingDirectory, program);
            if (Directory.Exists(full))
                throw new ProcessStartException(program, "it is a directory, not an executable file", Libc.EACCES);
            if (!File.Exists(full))
                throw new ProcessStartException(program, $"no such file ({Path.GetFullPath(full)})", Libc.ENOENT);
            if (Libc.access(full, Libc.X_OK) != 0)
                throw new ProcessStartException(program, $"permission denied: {Path.GetFullPath(full)} is not executable", Libc.EACCES);
            return program;
        }

        var path = string.IsNullOrEmpty(searchPath) ? DefaultSearchPath : searchPath;
        string? notExecutable = null;
        foreach (var entry in path.Split(':'))
        {
            var directory = entry.Length == 0 ? "." : entry;
            var candidate = Path.Combine(directory, program);
            if (!File.Exists(candidate))
                continue;
            if (Libc.access(candidate, Libc.X_OK) == 0)
                return candidate;
            notExecutable ??= candidate;
        }

        throw notExecutable is not null
            ? new ProcessStartException(program, $"permission denied: {notExecutable} is not executable", Libc.EACCES)
            : new ProcessStartException(program, $"not found in PATH ({path})", Libc.ENOENT);
    }
}
