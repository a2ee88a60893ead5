using System.Globalization;

namespace Fanout.Interop;

/// <summary>A process's <c>/proc/PID/stat</c>, read once.</summary>
internal static class ProcStat
{
    /// <summary>
    /// The fields after the command name, from field 3 (the state) on, so field N of proc(5) is at
    /// index N − 3; null when the process is gone or cannot be read.
    /// </summary>
    internal static string[]? FieldsAfterName(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses: the fields after it follow the last ')'.
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
