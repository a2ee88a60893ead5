// Producers and consumers on a shared queue, stopped cleanly with a poison pill: the way seed 004
// recommends stopping a worker, where terminate() is only for stuck ones. Each producer puts its
// jobs; once all producers are done, the parent puts one pill per consumer, and each consumer
// stops when it takes one — after every job put before it.
// With --joinable the jobs go through a joinable queue (Python's JoinableQueue): consumers mark each
// job done, and the parent waits for all of them with Join() before it sends the pills.
using Fanout;

const int Producers = 2, Consumers = 3, JobsPerProducer = 10;

using var jobs = args.Contains("--joinable") ? SharedJoinableQueue.Create() : SharedQueue.Create();
using var results = SharedQueue.Create();
var producers = Enumerable.Range(1, Producers).Select(p => new WorkerProcess(Work.Produce, jobs, p, JobsPerProducer)).ToList();
var consumers = Enumerable.Range(1, Consumers).Select(_ => new WorkerProcess(Work.Consume, jobs, results)).ToList();
consumers.ForEach(c => c.Start());
producers.ForEach(p => p.Start());

producers.ForEach(p => p.Join());
if (jobs is SharedJoinableQueue joinable)
{
    joinable.Join();
    Console.WriteLine($"all {Producers * JobsPerProducer} jobs done; sending the pills");
}

for (var i = 0; i < Consumers; i++)
    jobs.PutObject(Job.PoisonPill);
consumers.ForEach(c => c.Join());

var answers = new List<string>();
while (results.TryGet(out var answer, TimeSpan.Zero))
    answers.Add(System.Text.Encoding.UTF8.GetString(answer));
answers.Sort(StringComparer.Ordinal);
answers.ForEach(Console.WriteLine);
Console.WriteLine($"{answers.Count} results; consumers exited with {string.Join(", ", consumers.Select(c => c.ExitCode))}");

jobs.Unlink();
results.Unlink();

/// <summary>A job: square <see cref="Number"/>. Producer 0 is the poison pill.</summary>
internal sealed record Job(int Producer, int Number)
{
    internal static readonly Job PoisonPill = new(0, 0);
}

/// <summary>The workers' code.</summary>
internal static class Work
{
    internal static void Produce(SharedQueue jobs, int producer, int count)
    {
        for (var n = 1; n <= count; n++)
            jobs.PutObject(new Job(producer, n));
    }

    internal static void Consume(SharedQueue jobs, SharedQueue results)
    {
        while (jobs.GetObject<Job>() is { } job && job != Job.PoisonPill)
        {
            results.Put(System.Text.Encoding.UTF8.GetBytes($"producer {job.Producer}: {job.Number,2}^2 = {job.Number * job.Number,3} (by {CurrentProcess.Name})"));
            (jobs as SharedJoinableQueue)?.TaskDone(); // a joinable queue arrives as one, even typed as SharedQueue
        }
    }
}
