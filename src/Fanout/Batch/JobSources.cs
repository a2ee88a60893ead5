using System.Threading.Channels;

namespace Fanout.Batch;

/// <summary>A job waiting to start, with its sequence number.</summary>
internal readonly record struct PendingJob(JobSpec Job, long Sequence);

/// <summary>Where the runner takes its next job from: a lazy stream, or a dependency graph.</summary>
internal abstract class JobSource
{
    /// <summary>Jobs known so far.</summary>
    internal long Known { get; private protected set; }

    /// <summary>True once every job has been seen.</summary>
    internal abstract bool AllKnown { get; }

    /// <summary>True when no job is left to hand out (now or later).</summary>
    internal abstract bool Exhausted { get; }

    /// <summary>The next job that may start now, if any.</summary>
    internal abstract bool TryTake(out PendingJob job);

    /// <summary>A job ended for good; returns the jobs that can now never run because it failed.</summary>
    internal abstract IReadOnlyList<PendingJob> Finished(PendingJob job, bool succeeded);

    /// <summary>Completes when another job may be available; null when none will ever come.</summary>
    internal virtual Task? WaitForMoreAsync() => null;

    /// <summary>No more jobs are wanted (halt, interruption).</summary>
    internal virtual void Stop()
    {
    }

    /// <summary>After <see cref="Stop"/>: lets the input be counted to its end, for at most <paramref name="limit"/>, so the summary can say how many jobs did not run.</summary>
    internal virtual Task SettleAsync(TimeSpan limit) => Task.CompletedTask;
}

/// <summary>
/// Jobs without dependencies, read from the input by a background task into a bounded queue of
/// <see cref="BatchOptions.ReadAhead"/> jobs: a batch of that size or less is counted at once (so progress has a
/// total and an ETA), a slow input (a pipe that delivers lines over time) starts its jobs as they
/// come, and a batch of a million lines never sits in memory.
/// </summary>
internal sealed class StreamJobSource : JobSource
{
    private readonly int _readAhead;
    private readonly Channel<PendingJob> _queue;
    private readonly Task _producer;
    private volatile bool _stopped;
    private long _produced;
    private long _taken;
    private volatile bool _ended;
    private volatile bool _readToEnd;
    private Exception? _failure;

    internal StreamJobSource(IEnumerable<JobSpec> jobs, int readAhead)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readAhead, 1);
        _readAhead = readAhead;
        _queue = Channel.CreateBounded<PendingJob>(new BoundedChannelOptions(readAhead) { SingleReader = true, SingleWriter = true });
        _producer = Task.Run(() => ProduceAsync(jobs));
    }

    // Only an input read to its end gives a total; one cut short by a halt does not.
    internal override bool AllKnown => _readToEnd;

    internal override bool Exhausted => _ended && _queue.Reader.Count == 0;

    internal override bool TryTake(out PendingJob job)
    {
        Known = Interlocked.Read(ref _produced);
        if (_queue.Reader.TryRead(out job))
        {
            Interlocked.Increment(ref _taken);
            return true;
        }

        if (_failure is { } failure)
            throw new FanoutException($"Reading the jobs failed: {failure.Message}", failure);
        return false;
    }

    internal override Task? WaitForMoreAsync() => _ended && _queue.Reader.Count == 0 ? null : _queue.Reader.WaitToReadAsync().AsTask();

    internal override IReadOnlyList<PendingJob> Finished(PendingJob job, bool succeeded) => [];

    internal override void Stop()
    {
        // Closing the queue ends a producer that waits for room; one reading the input stops at its next job.
        _stopped = true;
        _queue.Writer.TryComplete();
    }

    internal override async Task SettleAsync(TimeSpan limit)
    {
        await Task.WhenAny(_producer, Task.Delay(limit)).ConfigureAwait(false);
        Known = Interlocked.Read(ref _produced);
    }

    private async Task ProduceAsync(IEnumerable<JobSpec> jobs)
    {
        try
        {
            using var next = jobs.GetEnumerator();
            // Room first, then the next job: reading a job is what costs (a --pipe job holds a block of input).
            while ((_stopped || await _queue.Writer.WaitToWriteAsync().ConfigureAwait(false) || _stopped) && next.MoveNext())
            {
                var job = next.Current;
                var sequence = Interlocked.Increment(ref _produced);
                if (_stopped)
                {
                    // After a stop the rest is only counted, no further than the look-ahead would have read anyway.
                    if (sequence > Interlocked.Read(ref _taken) + _readAhead)
                        return;
                    continue;
                }

                try
                {
                    await _queue.Writer.WriteAsync(new PendingJob(job, sequence)).ConfigureAwait(false);
                }
                catch (ChannelClosedException) when (_stopped)
                {
                }
            }

            _readToEnd = true;
        }
#pragma warning disable CA1031 // handed to the runner, which reports it
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
        }
        finally
        {
            _ended = true;
            _queue.Writer.TryComplete();
        }
    }
}

/// <summary>
/// Jobs with dependencies: all read up front and checked (unknown ids, cycles), then handed out in
/// input order as their dependencies succeed. A failed job makes everything downstream of it skipped.
/// </summary>
internal sealed class GraphJobSource : JobSource
{
    private readonly Dictionary<string, PendingJob> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _waitingOn = new(StringComparer.Ordinal);
    private readonly PriorityQueue<PendingJob, long> _ready = new();
    private int _outstanding;

    internal GraphJobSource(IEnumerable<JobSpec> jobs)
    {
        foreach (var job in jobs)
        {
            Known++;
            if (!_byId.TryAdd(job.Id, new PendingJob(job, Known)))
                throw new FanoutException($"Two jobs have the id '{job.Id}'; ids must be unique in a batch.");
        }

        foreach (var (id, pending) in _byId)
        {
            foreach (var dependency in pending.Job.DependsOn.Distinct(StringComparer.Ordinal))
            {
                if (!_byId.ContainsKey(dependency))
                    throw new FanoutException($"Job '{id}' depends on '{dependency}', which is not a job of this batch.");
                if (!_dependents.TryGetValue(dependency, out var list))
                    _dependents[dependency] = list = [];
                list.Add(id);
            }

            _waitingOn[id] = pending.Job.DependsOn.Distinct(StringComparer.Ordinal).Count();
        }

        CheckForCycles();
        foreach (var (id, count) in _waitingOn)
        {
            if (count == 0)
                _ready.Enqueue(_byId[id], _byId[id].Sequence);
        }

        _outstanding = _byId.Count;
    }

    internal override bool AllKnown => true;

    internal override bool Exhausted => _outstanding == 0;

    internal override bool TryTake(out PendingJob job)
    {
        if (_ready.TryDequeue(out job, out _))
            return true;
        job = default;
        return false;
    }

    internal override IReadOnlyList<PendingJob> Finished(PendingJob job, bool succeeded)
    {
        _outstanding--;
        if (!_dependents.TryGetValue(job.Job.Id, out var dependents))
            return [];
        if (succeeded)
        {
            foreach (var id in dependents)
            {
                if (--_waitingOn[id] == 0)
                    _ready.Enqueue(_byId[id], _byId[id].Sequence);
            }

            return [];
        }

        // Everything downstream can never run; each is reported once, in input order.
        var skipped = new List<PendingJob>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(dependents);
        while (stack.TryPop(out var id))
        {
            if (!seen.Add(id) || _waitingOn[id] < 0)
                continue;
            _waitingOn[id] = -1;
            _outstanding--;
            skipped.Add(_byId[id]);
            if (_dependents.TryGetValue(id, out var further))
                foreach (var next in further)
                    stack.Push(next);
        }

        skipped.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return skipped;
    }

    private void CheckForCycles()
    {
        // Depth-first search with colours; the first back edge found names the cycle.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in _byId.Keys)
            Visit(start);

        void Visit(string id)
        {
            if (state.GetValueOrDefault(id) == 2)
                return;
            if (state.GetValueOrDefault(id) == 1)
            {
                var cycle = path[path.IndexOf(id)..].Append(id);
                throw new FanoutException($"The jobs' dependencies form a cycle: {string.Join(" -> ", cycle)}.");
            }

            state[id] = 1;
            path.Add(id);
            foreach (var dependency in _byId[id].Job.DependsOn)
                Visit(dependency);
            path.RemoveAt(path.Count - 1);
            state[id] = 2;
        }
    }
}
