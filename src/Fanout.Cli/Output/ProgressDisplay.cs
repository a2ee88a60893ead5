using System.Globalization;
using Fanout.Batch;

namespace Fanout.Cli.Output;

/// <summary>
/// Shows a batch's progress on stderr: a bar redrawn in place when stderr is a terminal, a plain
/// line every interval when it is not (logs, CI), nothing when quiet.
/// </summary>
internal sealed class ProgressDisplay : IDisposable
{
    private readonly Func<BatchProgress> _progress;
    private readonly TextWriter _stderr;
    private readonly bool _terminal;
    private readonly Timer? _timer;
    private bool _barShown;

    internal ProgressDisplay(Func<BatchProgress> progress, TextWriter stderr, bool terminal, bool quiet, TimeSpan interval)
    {
        _progress = progress;
        _stderr = stderr;
        _terminal = terminal;
        if (quiet || (!terminal && interval <= TimeSpan.Zero))
            return;
        var period = terminal ? TimeSpan.FromMilliseconds(250) : interval;
        _timer = new Timer(_ => Tick(), null, period, period);
    }

    /// <summary>Removes the bar before other text is written (call under <see cref="TerminalLock.Gate"/>).</summary>
    internal void Clear()
    {
        if (!_barShown)
            return;
        _stderr.Write("\r\x1b[K");
        _stderr.Flush();
        _barShown = false;
    }

    /// <summary>One line describing the progress, as the non-terminal display prints it.</summary>
    internal static string Describe(BatchProgress p)
    {
        var total = p.TotalKnown ? p.Total.ToString(CultureInfo.InvariantCulture) : p.Total.ToString(CultureInfo.InvariantCulture) + "+";
        var eta = p.EstimatedRemaining is { } remaining ? $", ETA {Format(remaining)}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{p.Done}/{total} done, {p.Failed} failed, {p.Skipped} skipped, {p.Running} running, {p.Throughput:0.#} jobs/s{eta}, {Format(p.Elapsed)} elapsed");
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (TerminalLock.Gate)
            Clear();
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1
        ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private void Tick()
    {
        try
        {
            Draw(_progress());
        }
        catch (IOException)
        {
            // stderr failed (a full disk): progress is a courtesy, so it stops rather than the batch.
            _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    private void Draw(BatchProgress p)
    {
        lock (TerminalLock.Gate)
        {
            if (!_terminal)
            {
                _stderr.WriteLine("fanout: " + Describe(p));
                _stderr.Flush();
                return;
            }

            const int width = 30;
            var fraction = p.TotalKnown && p.Total > 0 ? (double)p.Done / p.Total : 0;
            var filled = (int)(fraction * width);
            var bar = new string('#', filled) + new string('-', width - filled);
            _stderr.Write($"\r\x1b[K[{bar}] {Describe(p)}");
            _stderr.Flush();
            _barShown = true;
        }
    }
}
