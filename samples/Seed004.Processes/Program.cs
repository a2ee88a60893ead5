// Seed 004, "multiprocessing.Process and friends", example by example. Each example of the seed is
// its own script, so here each runs as its own process: `Seed004.Processes daemon` runs one, and
// with no argument this program runs every example in order, each in a fresh copy of itself
// (which is how a daemon can be seen to die with the program that started it).
using Fanout;
using Microsoft.Extensions.Logging;
using Seed004.ImportWorker;

string[] examples = ["simple", "args", "import", "names", "daemon", "daemon_join", "join_timeout", "terminate", "exitcode", "log_to_stderr", "get_logger", "subclass", "result"];

if (args.Length == 0)
{
    foreach (var example in examples)
    {
        Console.WriteLine($"$ {example}");
        new ProcessSpec(Environment.ProcessPath!, example).Run(check: true);
    }

    return;
}

switch (args[0])
{
    // multiprocessing_simple.py: five workers print in whatever order they get to the terminal.
    case "simple":
        for (var i = 0; i < 5; i++)
            new WorkerProcess(Examples.Worker).Start();
        break;

    // multiprocessing_simpleargs.py: arguments travel as JSON, typed by the target's parameters.
    case "args":
        for (var i = 0; i < 5; i++)
            new WorkerProcess(Examples.NumberedWorker, i).Start();
        break;

    // multiprocessing_import_main.py: the target lives in another assembly.
    case "import":
        for (var i = 0; i < 5; i++)
            new WorkerProcess(ImportWorker.Worker).Start();
        break;

    // multiprocessing_names.py (sleeps scaled down 10×).
    case "names":
        var service = new WorkerProcess(Examples.MyService) { Name = "my_service" };
        var worker1 = new WorkerProcess(Examples.NamedWorker) { Name = "worker 1" };
        var worker2 = new WorkerProcess(Examples.NamedWorker); // default name: Process-3
        worker1.Start();
        worker2.Start();
        service.Start();
        break;

    // multiprocessing_daemon.py: the program ends after 1 s; the daemon never prints "Exiting".
    case "daemon":
    {
        var d = new WorkerProcess(Examples.Daemon) { Name = "daemon", Daemon = true };
        var n = new WorkerProcess(Examples.NonDaemon) { Name = "non-daemon", Daemon = false };
        d.Start();
        Thread.Sleep(1000);
        n.Start();
        break;
    }

    // multiprocessing_daemon_join.py: joining the daemon lets it finish.
    case "daemon_join":
    {
        var d = new WorkerProcess(Examples.DaemonByName) { Name = "daemon", Daemon = true };
        var n = new WorkerProcess(Examples.NonDaemonByName) { Name = "non-daemon", Daemon = false };
        d.Start();
        Thread.Sleep(1000);
        n.Start();
        d.Join();
        n.Join();
        break;
    }

    // multiprocessing_daemon_join_timeout.py: join(1) returns with the daemon still alive.
    case "join_timeout":
    {
        var d = new WorkerProcess(Examples.DaemonByName) { Name = "daemon", Daemon = true };
        var n = new WorkerProcess(Examples.NonDaemonByName) { Name = "non-daemon", Daemon = false };
        d.Start();
        n.Start();
        d.Join(TimeSpan.FromSeconds(1));
        Console.WriteLine($"d.IsAlive {d.IsAlive}");
        n.Join();
        break;
    }

    // multiprocessing_terminate.py
    case "terminate":
    {
        var p = new WorkerProcess(Examples.SlowWorker);
        Console.WriteLine($"BEFORE: {p} {p.IsAlive}");
        p.Start();
        Console.WriteLine($"DURING: {p} {p.IsAlive}");
        p.Terminate();
        Console.WriteLine($"TERMINATED: {p} {p.IsAlive}");
        p.Join();
        Console.WriteLine($"JOINED: {p} {p.IsAlive}");
        break;
    }

    // multiprocessing_exitcode.py: 0 ok, > 0 error, < 0 killed by that signal.
    case "exitcode":
    {
        (string Name, Delegate Target)[] functions =
        [
            ("exit_error", Examples.ExitError),
            ("exit_ok", Examples.ExitOk),
            ("return_value", Examples.ReturnValue),
            ("raises", Examples.Raises),
            ("terminated", Examples.Terminated),
        ];
        var jobs = new List<WorkerProcess>();
        foreach (var (name, target) in functions)
        {
            Console.WriteLine($"Starting process for {name}");
            var j = new WorkerProcess(target) { Name = name };
            jobs.Add(j);
            j.Start();
        }

        jobs[^1].Terminate();
        foreach (var j in jobs)
        {
            j.Join();
            Console.WriteLine($"{j.Name,15}.ExitCode = {j.ExitCode}");
        }

        break;
    }

    // multiprocessing_log_to_stderr.py: Fanout's own lifecycle messages, in this process and the worker.
    case "log_to_stderr":
    {
        FanoutLog.LogToStderr(LogLevel.Debug);
        var p = new WorkerProcess(Examples.DoSomeWork);
        p.Start();
        p.Join();
        break;
    }

    // multiprocessing_get_logger.py: the same at INFO. FanoutLog.Logger also takes any ILogger.
    case "get_logger":
    {
        FanoutLog.LogToStderr(LogLevel.Information);
        var p = new WorkerProcess(Examples.DoSomeWork);
        p.Start();
        p.Join();
        break;
    }

    // multiprocessing_subclass.py: Run() overridden; default names Worker-1 … Worker-5.
    case "subclass":
    {
        var jobs = new List<Worker>();
        for (var i = 0; i < 5; i++)
        {
            var p = new Worker();
            jobs.Add(p);
            p.Start();
        }

        foreach (var j in jobs)
            j.Join();
        break;
    }

    // Beyond the seed: a worker's return value (or its exception) comes back to the parent.
    case "result":
    {
        var square = new WorkerProcess(Examples.Square, 12);
        var raises = new WorkerProcess(Examples.Raises);
        square.Start();
        raises.Start();
        square.Join();
        raises.Join();
        Console.WriteLine($"Square(12) = {square.Result}");
        Console.WriteLine($"raises: {raises.Error!.RemoteType}: {raises.Error.RemoteMessage}");
        break;
    }

    default:
        Console.Error.WriteLine($"Unknown example '{args[0]}'. Examples: {string.Join(", ", examples)}");
        return;
}

/// <summary>The targets: static methods, so nothing is captured and each can run in a worker.</summary>
internal static class Examples
{
    public static void Worker() => Console.WriteLine("Worker");

    public static void NumberedWorker(int num) => Console.WriteLine($"Worker: {num}");

    public static void NamedWorker()
    {
        var name = CurrentProcess.Name;
        Console.WriteLine($"{name} Starting");
        Thread.Sleep(200);
        Console.WriteLine($"{name} Exiting");
    }

    public static void MyService()
    {
        var name = CurrentProcess.Name;
        Console.WriteLine($"{name} Starting");
        Thread.Sleep(300);
        Console.WriteLine($"{name} Exiting");
    }

    public static void Daemon()
    {
        Console.WriteLine($"Starting: {CurrentProcess.Name} {CurrentProcess.Pid}");
        Thread.Sleep(2000);
        Console.WriteLine($"Exiting : {CurrentProcess.Name} {CurrentProcess.Pid}");
    }

    public static void NonDaemon()
    {
        Console.WriteLine($"Starting: {CurrentProcess.Name} {CurrentProcess.Pid}");
        Console.WriteLine($"Exiting : {CurrentProcess.Name} {CurrentProcess.Pid}");
    }

    public static void DaemonByName()
    {
        Console.WriteLine($"Starting: {CurrentProcess.Name}");
        Thread.Sleep(2000);
        Console.WriteLine($"Exiting : {CurrentProcess.Name}");
    }

    public static void NonDaemonByName()
    {
        Console.WriteLine($"Starting: {CurrentProcess.Name}");
        Console.WriteLine($"Exiting : {CurrentProcess.Name}");
    }

    public static void SlowWorker()
    {
        Console.WriteLine("Starting worker");
        Thread.Sleep(100);
        Console.WriteLine("Finished worker");
    }

    public static void ExitError() => Environment.Exit(1);

    public static void ExitOk()
    {
    }

    public static int ReturnValue() => 1;

    public static void Raises() => throw new InvalidOperationException("There was an error!");

    public static void Terminated() => Thread.Sleep(3000);

    public static void DoSomeWork() => Console.WriteLine("Doing some work");

    public static int Square(int n) => n * n;
}

/// <summary>multiprocessing_subclass.py's Worker: the code is the Run() override.</summary>
internal sealed class Worker : WorkerProcess
{
    protected override void Run() => Console.WriteLine($"In {Name}");
}
