using System.Globalization;
using System.Text;

namespace Fanout.Batch;

/// <summary>
/// The job log: one tab-separated line per finished job, written and flushed as each job ends, so a
/// run killed at any moment keeps the record of every job that finished. The columns are GNU
/// parallel's (<c>Seq Host Starttime JobRuntime Send Receive Exitval Signal Command</c>), then
/// Fanout's (<c>MaxRSS</c> in KiB, <c>CPU</c> seconds, <c>Attempts</c>, <c>Id</c>). Tabs, newlines
/// carriage returns and backslashes inside a command are escaped as <c>\t</c>, <c>\n</c>, <c>\r</c> and <c>\\</c>.
/// </summary>
public sealed class Joblog : IDisposable
{
    /// <summary>The header line.</summary>
    public const string Header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tMaxRSS\tCPU\tAttempts\tId";

    private readonly FileStream _file;
    private readonly string _path;
    private readonly Lock _lock = new();

    private Joblog(FileStream file, string path) => (_file, _path) = (file, path);

    /// <summary>Opens <paramref name="path"/> for appending, writing the header when the file is new or empty.</summary>
    /// <exception cref="FanoutException">The file cannot be opened or its header written; the message names it.</exception>
    public static Joblog Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream file;
        bool torn;
        try
        {
            torn = EndsMidLine(path);
            file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FanoutException($"Cannot open the job log '{path}': {e.Message}", e);
        }

        var joblog = new Joblog(file, path);
        try
        {
            if (file.Length == 0)
                joblog.WriteLine(Header);
            else if (torn)
                joblog.WriteLine(""); // the torn line (a full disk, a kill mid-write) ends here, so the next line is whole
        }
        catch
        {
            joblog.Dispose();
            throw;
        }

        return joblog;
    }

    /// <summary>True when <paramref name="path"/> exists and its last byte is not a newline.</summary>
    private static bool EndsMidLine(string path)
    {
        if (!File.Exists(path))
            return false;
        using var handle = File.OpenHandle(path);
        var length = RandomAccess.GetLength(handle);
        if (length == 0)
            return false;
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(handle, last, length - 1) == 1 && last[0] != (byte)'\n';
    }

    /// <summary>Appends the line for a finished job and flushes it to the operating system.</summary>
    /// <exception cref="FanoutException">The line cannot be written (a full disk); the message names the file.</exception>
    public void Append(JobResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var status = result.Status;
        var exit = status?.ExitCode ?? -1;
        var signal = status?.Signal?.Number ?? 0;
        var line = string.Join('\t',
            result.Sequence.ToString(CultureInfo.InvariantCulture),
            result.Host,
            (result.StartTime.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture),
            result.Runtime.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(8),
            result.BytesSent.ToString(CultureInfo.InvariantCulture),
            result.Stdout.Length.ToString(CultureInfo.InvariantCulture),
            exit.ToString(CultureInfo.InvariantCulture),
            signal.ToString(CultureInfo.InvariantCulture),
            Escape(result.Job.CommandLine),
            ((result.Usage?.MaxResidentBytes ?? 0) / 1024).ToString(CultureInfo.InvariantCulture),
            (result.Usage?.CpuTime.TotalSeconds ?? 0).ToString("0.000", CultureInfo.InvariantCulture),
            result.Attempts.ToString(CultureInfo.InvariantCulture),
            Escape(result.Job.Id));
        WriteLine(line);
    }

    /// <summary>
    /// Reads a job log: for each command, how many times it finished and how many of those
    /// succeeded. A torn last line (the runner was killed mid-write) is ignored. A missing file reads as empty.
    /// </summary>
    /// <exception cref="FanoutException">The file is not a job log; the message names the file and line.</exception>
    public static Dictionary<string, (int Finished, int Succeeded)> Read(string path)
    {
        var done = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (var (command, succeeded) in Entries(path))
        {
            var (finished, succeededBefore) = done.GetValueOrDefault(command);
            done[command] = (finished + 1, succeededBefore + (succeeded ? 1 : 0));
        }

        return done;
    }

    /// <summary>
    /// The commands a job log shows finished and never succeeded, each once, in the order they
    /// first appear: what GNU parallel's <c>--retry-failed</c> runs again. A command that failed
    /// and then succeeded in a later run is not among them.
    /// </summary>
    /// <exception cref="FanoutException">The file is missing or is not a job log; the message names it.</exception>
    public static IReadOnlyList<string> ReadFailed(string path)
    {
        if (!File.Exists(path))
            throw new FanoutException($"There is no job log '{path}' to retry the failed jobs of.");
        var done = Read(path);
        var failed = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (command, _) in Entries(path))
        {
            if (seen.Add(command) && done[command].Succeeded == 0)
                failed.Add(command);
        }

        return failed;
    }

    /// <summary>Each finished job's command and whether it succeeded, in file order; nothing for a missing file.</summary>
    private static IEnumerable<(string Command, bool Succeeded)> Entries(string path)
    {
        if (!File.Exists(path))
            yield break;
        var number = 0;
        using var reader = new StreamReader(path, Encoding.UTF8);
        // Split at \n alone: a \r in a log written before \r was escaped stays inside its line.
        foreach (var line in LineReader.Records(reader))
        {
            number++;
            if (number == 1)
            {
                if (!line.StartsWith("Seq\tHost\tStarttime", StringComparison.Ordinal))
                    throw new FanoutException($"{path}:1: not a job log (the first line should be the header '{Header}').");
                continue;
            }

            var columns = line.Split('\t');
            if (columns.Length < 9 || !int.TryParse(columns[6], CultureInfo.InvariantCulture, out var exit) || !int.TryParse(columns[7], CultureInfo.InvariantCulture, out var signal))
                continue;
            yield return (Unescape(columns[8]), exit == 0 && signal == 0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    internal static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal);

    internal static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
            return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                result.Append(text[++i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', var other => other });
                continue;
            }

            result.Append(text[i]);
        }

        return result.ToString();
    }

    private void WriteLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_lock)
        {
            // One write per line: a kill leaves whole lines, at worst a torn last one that Read ignores.
            try
            {
                _file.Write(bytes);
                _file.Flush();
            }
            catch (IOException e)
            {
                throw new FanoutException($"Cannot write the job log '{_path}': {e.Message}", e);
            }
        }
    }
}
