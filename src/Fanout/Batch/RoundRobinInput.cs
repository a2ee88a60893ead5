namespace Fanout.Batch;

/// <summary>
/// Shares one stream of blocks among a fixed number of jobs, each reading its share on stdin as it
/// comes (GNU parallel's <c>--pipe --round-robin</c>): for a command that is slow to start, or
/// that has to see many blocks at once, such as one that keeps a tally.
/// </summary>
/// <remarks>
/// Block k of the first <c>jobs</c> goes to job k, and each job is only queued once its first
/// block has been read, so a short input starts fewer jobs. Every later block goes to the next
/// job in turn that is ready for it: a job still busy with its last block is skipped, and when
/// every job is busy the reading waits. So at most two blocks per job are held in memory, however
/// long the stream. A job that stops reading gets no more; the blocks it had taken are lost with it,
/// as a shell pipeline loses what a reader that exits early did not read.
/// </remarks>
/// <example>
/// <code>
/// using var input = new RoundRobinInput(new InputBlocks().Read(Console.OpenStandardInput()), jobs: 4);
/// var summary = await new BatchRunner(new BatchOptions { MaxParallel = 4 })
///     .RunAsync(input.Jobs(n => new JobSpec(n.ToString(), "wc -l")));
/// </code>
/// </example>
public sealed class RoundRobinInput : IDisposable
{
    private readonly IEnumerable<ReadOnlyMemory<byte>> _blocks;
    private readonly int _jobs;
    private readonly InputShares _shares = new();

    /// <summary>Shares <paramref name="blocks"/> among at most <paramref name="jobs"/> jobs.</summary>
    /// <param name="blocks">The blocks, read lazily as the jobs take them (<see cref="InputBlocks.Read"/>).</param>
    /// <param name="jobs">How many jobs share them; they all run at once, so give the runner at least as many slots.</param>
    public RoundRobinInput(IEnumerable<ReadOnlyMemory<byte>> blocks, int jobs)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        _blocks = blocks;
        _jobs = jobs;
    }

    /// <summary>
    /// The jobs, made by <paramref name="makeJob"/> from their number (1, 2, …), each with a
    /// <see cref="JobSpec.StandardInputWriter"/> that writes its share. Job k is yielded once
    /// block k has been read; after the last job the rest of the blocks are shared out on a thread
    /// of their own. Enumerate once.
    /// </summary>
    /// <exception cref="InvalidOperationException">Enumerated a second time.</exception>
    public IEnumerable<JobSpec> Jobs(Func<long, JobSpec> makeJob)
    {
        ArgumentNullException.ThrowIfNull(makeJob);
        _shares.HandOutOnce(nameof(RoundRobinInput));
        return Enumerate(makeJob);
    }

    private IEnumerable<JobSpec> Enumerate(Func<long, JobSpec> makeJob)
    {
        var blocks = _blocks.GetEnumerator();
        var handedOver = false;
        try
        {
            for (var number = 1; number <= _jobs; number++)
            {
                if (!blocks.MoveNext())
                    yield break;
                var share = _shares.Add(capacity: 1);
                share.Queue.Writer.TryWrite(blocks.Current);
                yield return makeJob(number) with { StandardInputWriter = share.WriteAsync };
            }

            handedOver = true;
            new Thread(() => ShareOut(blocks)) { IsBackground = true, Name = "Fanout round-robin input" }.Start();
        }
        finally
        {
            if (!handedOver)
            {
                blocks.Dispose();
                _shares.CompleteAll();
            }
        }
    }

    /// <summary>Why the sharing stopped before the end of the input (the input could not be read or cut), or null.</summary>
    public Exception? ReadError { get; private set; }

    private void ShareOut(IEnumerator<ReadOnlyMemory<byte>> blocks)
    {
        try
        {
            var next = 0;
            while (blocks.MoveNext() && Offer(blocks.Current, ref next))
            {
            }
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
            blocks.Dispose();
            _shares.CompleteAll();
        }
    }

    /// <summary>Gives <paramref name="block"/> to the first ready job from <paramref name="next"/> on; false once every job has stopped reading.</summary>
    private bool Offer(ReadOnlyMemory<byte> block, ref int next)
    {
        while (true)
        {
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(_shares.Stopping);
            var waiting = new List<Task<bool>>(_shares.Count);
            for (var i = 0; i < _shares.Count; i++)
            {
                var at = (next + i) % _shares.Count;
                var share = _shares[at];
                if (share.Queue.Writer.TryWrite(block))
                {
                    next = (at + 1) % _shares.Count;
                    return true;
                }

                if (!share.Stopped)
                    waiting.Add(share.Queue.Writer.WaitToWriteAsync(wake.Token).AsTask());
            }

            if (waiting.Count == 0)
                return false;
            Task.WaitAny([.. waiting], _shares.Stopping);
            // The other waits are dropped with their token, so they do not pile up block after block.
            wake.Cancel();
        }
    }

    /// <summary>
    /// Stops sharing out: jobs still running get the end of their input. Call it once the run is
    /// over: a job the runner never started (it halted first) would otherwise keep the sharing
    /// waiting for it.
    /// </summary>
    public void Dispose() => _shares.Dispose();
}
