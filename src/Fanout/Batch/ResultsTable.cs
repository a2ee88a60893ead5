using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fanout.Batch;

/// <summary>
/// Every finished job's record and output as one table, in GNU parallel's <c>--results</c> file
/// formats, chosen by the file's extension: <c>.csv</c>, <c>.tsv</c> (a header line, then a row per
/// job) or <c>.json</c> (an object per line). The columns are GNU parallel's: <c>Seq Host Starttime
/// JobRuntime Send Receive Exitval Signal Command</c>, the job's input values <c>V1</c>…<c>Vn</c>
/// (a list <c>V</c> in JSON), then <c>Stdout</c> and <c>Stderr</c>. Each row is flushed as its job
/// ends, so a run killed at any moment keeps every row written.
/// </summary>
/// <remarks>
/// A CSV or TSV field is quoted when it holds a quote (doubled), white space, the separator or NUL,
/// as GNU parallel quotes it; spreadsheet and data-frame readers read it back as written. Output
/// that is not UTF-8 is written with the replacement character where it is invalid.
/// </remarks>
public sealed class ResultsTable : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Stream _file;
    private readonly string _path;
    private readonly char? _separator;
    private readonly bool _ownsStream;
    private readonly Lock _lock = new();
    private bool _headerWritten;

    private ResultsTable(Stream file, string path, char? separator, bool ownsStream) =>
        (_file, _path, _separator, _ownsStream) = (file, path, separator, ownsStream);

    /// <summary>True when <paramref name="path"/> names a table (<c>.csv</c>, <c>.tsv</c>, <c>.json</c>) rather than a folder.</summary>
    /// <param name="path">What was given to <c>--results</c>.</param>
    /// <returns>Whether a <see cref="ResultsTable"/> is what GNU parallel writes there.</returns>
    public static bool IsTablePath(string path) => SeparatorFor(path, out _);

    /// <summary>Creates (or empties) the table at <paramref name="path"/>, in the format its extension names.</summary>
    /// <exception cref="ArgumentException">The extension is not .csv, .tsv or .json.</exception>
    /// <exception cref="FanoutException">The file cannot be created; the message names it.</exception>
    public static ResultsTable Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!SeparatorFor(path, out var separator))
            throw new ArgumentException($"'{path}' does not end in .csv, .tsv or .json.", nameof(path));
        try
        {
            return new ResultsTable(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1), path, separator, ownsStream: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FanoutException($"Cannot create the results table '{path}': {e.Message}", e);
        }
    }

    /// <summary>A table written to <paramref name="stream"/> (GNU parallel's <c>--results -.csv</c> writes it to stdout).</summary>
    /// <param name="stream">Where rows go; not closed by <see cref="Dispose"/>.</param>
    /// <param name="format">csv, tsv or json.</param>
    /// <exception cref="ArgumentException">An unknown format.</exception>
    public static ResultsTable ToStream(Stream stream, string format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!SeparatorFor("." + format, out var separator))
            throw new ArgumentException($"Unknown results table format '{format}': expected csv, tsv or json.", nameof(format));
        return new ResultsTable(stream, "standard output", separator, ownsStream: false);
    }

    /// <summary>Writes the row of a finished job and flushes it.</summary>
    /// <exception cref="FanoutException">The row cannot be written (a full disk); the message names the file.</exception>
    public void Append(JobResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = _separator is { } separator ? Row(result, separator) : JsonRow(result);
        lock (_lock)
        {
            try
            {
                if (!_headerWritten && _separator is { } s)
                    Write(Header(result.Job.Arguments.Length, s));
                _headerWritten = true;
                Write(text);
                _file.Flush();
            }
            catch (IOException e)
            {
                throw new FanoutException($"Cannot write to the results table '{_path}': {e.Message}", e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream)
            _file.Dispose();
    }

    private void Write(string text) => _file.Write(Utf8.GetBytes(text));

    private static bool SeparatorFor(string path, out char? separator)
    {
        separator = null;
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            separator = ',';
        else if (path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
            separator = '\t';
        else if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return false;
        return true;
    }

    // The header names as many values as the first job to finish has, as GNU parallel's does.
    private static string Header(int values, char separator) =>
        string.Join(separator, ["Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command",
            .. Enumerable.Range(1, values).Select(i => "V" + i.ToString(CultureInfo.InvariantCulture)), "Stdout", "Stderr"]) + "\n";

    private static string Row(JobResult result, char separator)
    {
        var (exit, signal) = ExitAndSignal(result);
        string[] fields =
        [
            result.Sequence.ToString(CultureInfo.InvariantCulture),
            result.Host,
            StartTime(result),
            Runtime(result),
            result.BytesSent.ToString(CultureInfo.InvariantCulture),
            result.Stdout.Length.ToString(CultureInfo.InvariantCulture),
            exit.ToString(CultureInfo.InvariantCulture),
            signal.ToString(CultureInfo.InvariantCulture),
            result.Job.CommandLine,
            .. result.Job.Arguments,
            Utf8.GetString(result.Stdout),
            Utf8.GetString(result.Stderr),
        ];
        return string.Join(separator, fields.Select(f => Quote(f, separator))) + "\n";
    }

    private static string Quote(string field, char separator)
    {
        var mustQuote = false;
        foreach (var c in field)
        {
            if (c is '"' or '\0' or ' ' or '\t' or '\n' or '\v' or '\f' or '\r' || c == separator)
            {
                mustQuote = true;
                break;
            }
        }

        return mustQuote ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    private static string JsonRow(JobResult result)
    {
        var (exit, signal) = ExitAndSignal(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("Seq", result.Sequence);
            json.WriteString("Host", result.Host);
            // Numbers with GNU parallel's three decimals, which WriteNumber would reformat.
            json.WritePropertyName("Starttime");
            json.WriteRawValue(StartTime(result), skipInputValidation: true);
            json.WritePropertyName("JobRuntime");
            json.WriteRawValue(Runtime(result), skipInputValidation: true);
            json.WriteNumber("Send", result.BytesSent);
            json.WriteNumber("Receive", result.Stdout.Length);
            json.WriteNumber("Exitval", exit);
            json.WriteNumber("Signal", signal);
            json.WriteString("Command", result.Job.CommandLine);
            json.WriteStartArray("V");
            foreach (var value in result.Job.Arguments)
                json.WriteStringValue(value);
            json.WriteEndArray();
            json.WriteString("Stdout", Utf8.GetString(result.Stdout));
            json.WriteString("Stderr", Utf8.GetString(result.Stderr));
            json.WriteEndObject();
        }

        return Utf8.GetString(buffer.ToArray()) + "\n";
    }

    // As the job log: -1 for a job that never ran to an exit (it could not start, or was stopped before).
    private static (int Exit, int Signal) ExitAndSignal(JobResult result) =>
        (result.Status?.ExitCode ?? -1, result.Status?.Signal?.Number ?? 0);

    private static string StartTime(JobResult result) =>
        (result.StartTime.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Runtime(JobResult result) =>
        result.Runtime.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}

