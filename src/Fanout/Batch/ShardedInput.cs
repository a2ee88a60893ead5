using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Fanout.Batch;

/// <summary>
/// Routes each line of a stream to one of a fixed number of jobs by the value in one of its
/// columns (GNU parallel's <c>--pipe --shard</c> and <c>--bin</c>), so that every line with the
/// same value reaches the same job: each job can count, sort or join its keys on its own.
/// </summary>
/// <remarks>
/// All the jobs run at once, each reading its lines on stdin as they come; give the runner at
/// least as many slots. Lines reach a job in the order they are in the input, in chunks of up to
/// 64 KiB; when the input comes slower than it is read (<c>tail -f</c>), whatever has come goes
/// out before the next wait. With a named column the first line is the header: it names the columns and goes to
/// no job, as in GNU parallel. A job that stops reading gets no more; its lines are lost with it.
/// </remarks>
/// <example>
/// <code>
/// using var input = new ShardedInput(Console.OpenStandardInput(), jobs: 4, LineColumn.At(1, ","), ShardRule.Hash);
/// var summary = await new BatchRunner(new BatchOptions { MaxParallel = 4 })
///     .RunAsync(input.Jobs(n => new JobSpec(n.ToString(), "sort | uniq -c")));
/// </code>
/// </example>
public sealed partial class ShardedInput : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly Stream _input;
    private readonly int _jobs;
    private readonly LineColumn _column;
    private readonly ShardRule _rule;
    private readonly InputShares _shares = new();
    private Action? _flush;

    /// <summary>Routes the lines of <paramref name="input"/> to <paramref name="jobs"/> jobs by <paramref name="column"/>.</summary>
    /// <param name="input">The lines; read on a thread of its own once the jobs are queued, and closed at its end.</param>
    /// <param name="jobs">How many jobs; they all run at once.</param>
    /// <param name="column">The column whose value picks the job.</param>
    /// <param name="rule">How the value picks it.</param>
    public ShardedInput(Stream input, int jobs, LineColumn column, ShardRule rule)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        _input = input;
        _jobs = jobs;
        _column = column;
        _rule = rule;
    }

    /// <summary>
    /// The jobs, made by <paramref name="makeJob"/> from their number (1, 2, …), each with a
    /// <see cref="JobSpec.StandardInputWriter"/> that writes its lines. The routing starts once
    /// the last job has been taken. Enumerate once.
    /// </summary>
    /// <exception cref="InvalidOperationException">Enumerated a second time.</exception>
    /// <exception cref="FanoutException">With a named column: the header line lacks it (thrown by the enumeration).</exception>
    public IEnumerable<JobSpec> Jobs(Func<long, JobSpec> makeJob)
    {
        ArgumentNullException.ThrowIfNull(makeJob);
        _shares.HandOutOnce(nameof(ShardedInput));
        return Enumerate(makeJob);
    }

    /// <summary>The job (from 1) that <c>--bin</c> gives <paramref name="value"/>: its integer part modulo the number of jobs, 0 being the last job, as Perl's <c>%</c> makes it.</summary>
    internal static int BinOf(string value, int jobs)
    {
        var number = LeadingNumber().Match(value) is { Success: true } match
            ? double.Parse(match.Value, NumberStyles.Float, CultureInfo.InvariantCulture) : 0;
        var whole = double.IsFinite(number) ? (long)Math.Clamp(Math.Truncate(number), long.MinValue, long.MaxValue) : 0;
        var remainder = (int)(((whole % jobs) + jobs) % jobs);
        return remainder == 0 ? jobs : remainder;
    }

    /// <summary>The job (from 1) that <c>--shard</c> gives <paramref name="value"/>: a CRC-32C of its UTF-8 bytes, modulo the number of jobs.</summary>
    internal static int HashOf(string value, int jobs)
    {
        var crc = 0u;
        foreach (var b in Encoding.UTF8.GetBytes(value))
            crc = BitOperations.Crc32C(crc, b);
        return (int)(crc % (uint)jobs) + 1;
    }

    // What Perl reads as a number at the start of a string (leading white space, sign, decimals, exponent).
    [GeneratedRegex(@"^[ \t\n\r\f\v]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingNumber();

    private IEnumerable<JobSpec> Enumerate(Func<long, JobSpec> makeJob)
    {
        var lines = new ByteLines(_input, () => _flush?.Invoke());
        var handedOver = false;
        try
        {
            var index = _column.IndexIn(_column.Name is null ? null : lines.NextLineText());
            for (var number = 1; number <= _jobs; number++)
            {
                var share = _shares.Add(capacity: 4);
                yield return makeJob(number) with { StandardInputWriter = share.WriteAsync };
            }

            handedOver = true;
            new Thread(() => Route(lines, index)) { IsBackground = true, Name = "Fanout sharded input" }.Start();
        }
        finally
        {
            if (!handedOver)
            {
                _input.Dispose();
                _shares.CompleteAll();
            }
        }
    }

    /// <summary>Why the routing stopped before the end of the input (it could not be read), or null.</summary>
    public Exception? ReadError { get; private set; }

    private void Route(ByteLines lines, int index)
    {
        var pending = Enumerable.Range(0, _jobs).Select(_ => new ArrayBufferWriter<byte>()).ToArray();
        // When the input comes slower than it is read (tail -f), what has come goes out before the next wait.
        _flush = () =>
        {
            for (var job = 0; job < _jobs; job++)
                _ = Send(job, pending[job]);
        };
        try
        {
            while (!_shares.Stopping.IsCancellationRequested && lines.NextLine() is { } next)
            {
                var line = next.Span;
                var value = _column.ValueOf(line, index);
                var job = (_rule == ShardRule.Bin ? BinOf(value, _jobs) : HashOf(value, _jobs)) - 1;
                pending[job].Write(line);
                if (pending[job].WrittenCount >= ChunkSize && !Send(job, pending[job]))
                    return;
            }

            _flush();
        }
        catch (OperationCanceledException) when (_shares.Stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // kept for whoever runs the jobs: this thread has no caller to throw to
        catch (Exception e)
#pragma warning restore CA1031
        {
            ReadError = e;
        }
        finally
        {
            _input.Dispose();
            _shares.CompleteAll();
        }
    }

    /// <summary>
    /// Hands the lines gathered for <paramref name="job"/> over, waiting while it is busy; dropped
    /// once it has stopped reading. False once every job has stopped: reading on would be for nothing.
    /// </summary>
    private bool Send(int job, ArrayBufferWriter<byte> lines)
    {
        var chunk = lines.WrittenMemory.ToArray();
        lines.ResetWrittenCount();
        var share = _shares[job];
        if (chunk.Length > 0 && !share.Stopped)
        {
            try
            {
                share.Queue.Writer.WriteAsync(chunk, _shares.Stopping).AsTask().GetAwaiter().GetResult();
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // The job stopped reading in the meantime.
            }
        }

        for (var i = 0; i < _shares.Count; i++)
        {
            if (!_shares[i].Stopped)
                return true;
        }

        return false;
    }

    /// <summary>
    /// Stops routing: jobs still running get the end of their input. Call it once the run is over:
    /// a job the runner never started would otherwise keep the routing waiting for it.
    /// </summary>
    public void Dispose() => _shares.Dispose();
}
