using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fanout.Batch;

/// <summary>
/// Writes each finished job's output into <c>DIR/&lt;id&gt;/</c>: <c>stdout</c>, <c>stderr</c> and
/// <c>status.json</c> (id, sequence, command, outcome, exit code, signal, start, runtime, attempts,
/// host, CPU, peak memory). Ids are made safe as folder names.
/// </summary>
public static class ResultsDirectory
{
    /// <summary>The folder for a job's results under <paramref name="directory"/>.</summary>
    public static string FolderFor(string directory, JobSpec job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var safe = new StringBuilder(job.Id.Length);
        foreach (var c in job.Id)
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '@' ? c : '_');
        var name = safe.ToString().Trim('.');
        return Path.Combine(directory, name.Length == 0 ? "_" : name);
    }

    /// <summary>Writes the files for <paramref name="result"/>.</summary>
    /// <exception cref="FanoutException">A file cannot be written (a full disk, no permission); the message names it.</exception>
    public static void Write(string directory, JobResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var folder = FolderFor(directory, result.Job);
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "stdout"), result.Stdout);
            File.WriteAllBytes(Path.Combine(folder, "stderr"), result.Stderr);
            using var status = File.Create(Path.Combine(folder, "status.json"));
            using var json = new Utf8JsonWriter(status, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("id", result.Job.Id);
            json.WriteNumber("seq", result.Sequence);
            json.WriteString("command", result.Job.CommandLine);
            json.WriteString("outcome", result.Outcome.ToString());
            WriteNumberOrNull(json, "exit", result.Status?.ExitCode);
            WriteNumberOrNull(json, "signal", result.Status?.Signal?.Number);
            json.WriteString("start", result.StartTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteNumber("runtime", Math.Round(result.Runtime.TotalSeconds, 3));
            json.WriteNumber("attempts", result.Attempts);
            json.WriteString("host", result.Host);
            json.WriteNumber("cpu", Math.Round(result.Usage?.CpuTime.TotalSeconds ?? 0, 3));
            json.WriteNumber("maxRssKiB", (result.Usage?.MaxResidentBytes ?? 0) / 1024);
            if (result.Error is not null)
                json.WriteString("error", result.Error);
            json.WriteEndObject();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FanoutException($"Cannot write the results of job '{result.Job.Id}' into '{folder}': {e.Message}", e);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
            json.WriteNumber(name, v);
        else
            json.WriteNull(name);
    }
}
