// Python's submitit on a Slurm cluster, in .NET: methods run as Slurm jobs, results come back as
// futures. Run it from a folder the nodes share (the calls and results are files under it).
// `SlurmExecutor [partition]` submits to that partition instead of the cluster's default.
using Fanout;

var options = new SlurmExecutorOptions
{
    Partition = args.Length > 0 ? args[0] : null,
    TimePerTask = TimeSpan.FromMinutes(5),
};

await using var executor = new SlurmExecutor(options);

// job = executor.submit(add, 5, 7); job.result()
var sum = executor.Submit(Work.Add, 5, 7);
Console.WriteLine($"5 + 7 = {await sum} (Slurm job arrays {string.Join(", ", executor.SubmittedJobIds)})");

// executor.map_array(square, range(50)): one sbatch per MaxArraySize tasks, results in input order.
var squares = executor.Map(Work.Square, Enumerable.Range(0, 50)).ToList();
Console.WriteLine($"squares: {string.Join(' ', squares)} ({executor.SubmitCalls} sbatch calls in all)");

// The job's exception comes back with its type and message.
try
{
    await executor.Submit(Work.Divide, 1, 0);
}
catch (RemoteException e)
{
    Console.WriteLine($"1 / 0 failed on the cluster with {e.RemoteType}: {e.RemoteMessage}");
}

internal static class Work
{
    internal static int Add(int a, int b) => a + b;

    internal static long Square(int x) => (long)x * x;

    internal static int Divide(int a, int b) => a / b;
}
