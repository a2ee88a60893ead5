// Seed 000: start 300 background jobs at once, then collect each one's output in turn.
// Each job sleeps 1.2–1.3 s and prints how long it slept; all of them finish in about 1.3 s.
using System.Diagnostics;
using System.Globalization;
using Fanout;

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var random = new Random();
var clock = Stopwatch.StartNew();

var jobs = new List<ChildProcess>();
for (var i = 0; i < count; i++)
{
    var seconds = (1.2 + (random.NextDouble() * 0.1)).ToString("0.00", CultureInfo.InvariantCulture);
    jobs.Add(ProcessSpec.Shell($"sleep {seconds}; echo {seconds}").WithCapturedOutput().Start());
}

Console.WriteLine($"Running {count} jobs in parallel....");
var total = 0.0;
foreach (var job in jobs)
{
    using var _ = job;
    var result = job.Communicate();
    var seconds = double.Parse(result.StdoutText, CultureInfo.InvariantCulture);
    Console.WriteLine($"{seconds:0.00} s");
    total += seconds;
}

Console.WriteLine($"Work done: {total:0.00} s in total");
Console.WriteLine($"Finished in {clock.Elapsed.TotalSeconds:0.000} seconds");
