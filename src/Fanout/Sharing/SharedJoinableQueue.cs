using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A <see cref="SharedQueue"/> that counts unfinished tasks (Python's <c>multiprocessing.JoinableQueue</c>):
/// every put adds one, every <see cref="TaskDone"/> takes one away, and <see cref="Join()"/> waits
/// until the count is back to zero — every item put has been taken and declared done, in whichever
/// process. It can be passed where a <see cref="SharedQueue"/> is expected, in this process or as a
/// worker's argument: attaching by name as a queue gives back a joinable queue.
/// <para>
/// Protocol: word 14 of the queue's header holds the count, word 15 a join sequence (the futex word
/// joiners sleep on). A put adds one under the queue's lock, before the message becomes visible, so a
/// consumer can never finish an item that is not counted yet. The <see cref="TaskDone"/> that brings
/// the count to zero bumps the sequence and wakes every joiner; a joiner notes the sequence, then
/// sleeps on it only while the count is above zero, so no wake-up is lost.
/// </para>
/// <para>
/// A consumer that dies between taking an item and calling <see cref="TaskDone"/> leaves the count
/// above zero for good: joiners wait until their timeout (as in Python).
/// </para>
/// </summary>
/// <example>
/// <code>
/// using var tasks = SharedJoinableQueue.Create();
/// // consumers: while (true) { var job = tasks.GetObject&lt;Job&gt;(); Work(job); tasks.TaskDone(); }
/// foreach (var job in jobs) tasks.PutObject(job);
/// tasks.Join();   // every job was done
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, named as Python names it.")]
public sealed unsafe class SharedJoinableQueue : SharedQueue, IAttachable<SharedJoinableQueue>
{
    private const int Unfinished = FirstFreeWord;
    private const int JoinSequence = FirstFreeWord + 1;

    internal SharedJoinableQueue(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>Items put and not yet declared done with <see cref="TaskDone"/> (a snapshot).</summary>
    public int UnfinishedTasks => Volatile.Read(ref *Word(Unfinished));

    private protected override string Kind => "joinable queue";

    /// <summary>Creates an empty joinable queue whose ring holds <paramref name="capacity"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is under 16 bytes.</exception>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static new SharedJoinableQueue Create(int capacity = DefaultCapacity, string? name = null) =>
        new(CreateSegment(capacity, name, SharedKind.JoinableQueue));

    /// <summary>Attaches to the joinable queue <paramref name="name"/>.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    /// <exception cref="FanoutException">The object with that name is not a joinable queue.</exception>
    public static new SharedJoinableQueue Attach(string name) => new(AttachSegment(name, SharedKind.JoinableQueue));

    static SharedJoinableQueue IAttachable<SharedJoinableQueue>.AttachByName(string name) => Attach(name);

    /// <summary>Both this type and its base provide one; a worker must rebuild this one.</summary>
    ISharedByName ISharedByName.AttachAnother(string name) => Attach(name);

    /// <summary>
    /// Declares one item taken from the queue done (Python's <c>task_done()</c>); the last one wakes
    /// every process in <see cref="Join()"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was called more times than items were put (Python's ValueError).</exception>
    public void TaskDone()
    {
        var unfinished = Word(Unfinished);
        var seen = Volatile.Read(ref *unfinished);
        while (true)
        {
            if (seen <= 0)
            {
                throw new InvalidOperationException(
                    $"TaskDone() was called on the joinable queue '{Name}' more times than items were put; call it once for each item taken.");
            }

            var before = Interlocked.CompareExchange(ref *unfinished, seen - 1, seen);
            if (before == seen)
                break;
            seen = before;
        }

        if (seen == 1)
            Futex.Bump(Word(JoinSequence));
    }

    /// <summary>Waits until every item put has been declared done (Python's <c>join()</c>).</summary>
    public void Join() => JoinCore(Futex.NoDeadline, CancellationToken.None);

    /// <summary>Waits up to <paramref name="timeout"/> until every item put has been declared done; false on timeout.</summary>
    public bool Join(TimeSpan timeout) => JoinCore(Futex.Deadline(timeout), CancellationToken.None);

    /// <summary>
    /// Waits, on a thread of its own (a futex cannot be awaited), until every item put has been
    /// declared done or <paramref name="timeout"/> (null: forever) has passed; false on timeout.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task<bool> JoinAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (UnfinishedTasks == 0)
            return Task.FromResult(true);
        var deadline = Futex.Deadline(timeout);
        return Futex.RunWaitAsync(Word(JoinSequence), token =>
        {
            var done = JoinCore(deadline, token);
            if (!done)
                token.ThrowIfCancellationRequested();
            return done;
        }, cancellationToken);
    }

    /// <summary>Waits, on a thread of its own, until every item put has been declared done; same as <c>JoinAsync(null, cancellationToken)</c>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task JoinAsync(CancellationToken cancellationToken) => JoinAsync(null, cancellationToken);

    private protected override void OnPutting() => Interlocked.Increment(ref *Word(Unfinished));

    private bool JoinCore(long deadline, CancellationToken cancellationToken)
    {
        var sequence = Word(JoinSequence);
        while (!cancellationToken.IsCancellationRequested)
        {
            // The sequence first: a TaskDone that empties the count after this read also moves it.
            var seen = Volatile.Read(ref *sequence);
            if (Volatile.Read(ref *Word(Unfinished)) == 0)
                return true;
            if (!Futex.Wait(sequence, seen, deadline))
                return Volatile.Read(ref *Word(Unfinished)) == 0;
        }

        return Volatile.Read(ref *Word(Unfinished)) == 0;
    }
}
