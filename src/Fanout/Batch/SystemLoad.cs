using System.Globalization;

namespace Fanout.Batch;

/// <summary>The machine's free memory and load, read from /proc, for admitting jobs.</summary>
internal static class SystemLoad
{
    /// <summary>MemAvailable from /proc/meminfo, in bytes; null when unreadable.</summary>
    internal static long? AvailableMemory()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>The one-minute load average; null when unreadable.</summary>
    internal static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
