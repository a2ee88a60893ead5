// A program the tests start for controlled behaviour. Its arguments are a list of steps run in
// order, e.g. `out hello sleep 0.5 exit 3`. See Usage below for every step.
using System.Runtime.InteropServices;
using Fanout;

const string Usage = """
    Fanout.TestChild STEP...
      out TEXT          write TEXT and a newline to stdout
      err TEXT          write TEXT and a newline to stderr
      args              write each remaining argument on its own line, then stop
      env NAME          write the value of NAME, or <unset>
      cwd               write the working directory
      pid               write 'pid PGID SID' (its pid, process group and session)
      ppid              write the parent's pid
      fds               write each open descriptor above 2 and what it refers to, one a line
      spawn-fds         start this program with 'fds' through Fanout and write what it wrote
      sleep SECONDS     sleep
      exit N            exit with code N
      signal N          kill itself with signal N
      write-stdout N    write N bytes to stdout
      write-stderr N    write N bytes to stderr
      write-both N      write N bytes to stdout and N to stderr, interleaved in 64 KiB chunks
      cat               copy stdin to stdout until end of input
      count-stdin       read stdin to its end and write the number of bytes
      ignore-term       ignore SIGTERM from now on
      grandchild SECONDS  start a grandchild that sleeps SECONDS holding stdout/stderr, write its pid
      spawn-kept N SECONDS  start N children sleeping SECONDS with KillOnParentExit, write their pids, wait
      spawn-plain N SECONDS start N children sleeping SECONDS (not kept), write their pids, wait
      worker daemon|plain SECONDS  start a worker process that writes its pid and sleeps SECONDS, then wait
    """;

var stdout = Console.OpenStandardOutput();
var stderr = Console.OpenStandardError();
var steps = args;
for (var i = 0; i < steps.Length; i++)
{
    string Next() => i + 1 < steps.Length ? steps[++i] : throw new ArgumentException($"step '{steps[i]}' needs a value");
    switch (steps[i])
    {
        case "out":
            Write(stdout, Next() + "\n");
            break;
        case "err":
            Write(stderr, Next() + "\n");
            break;
        case "args":
            foreach (var arg in steps[(i + 1)..])
                Write(stdout, arg + "\n");
            return 0;
        case "env":
            Write(stdout, (Environment.GetEnvironmentVariable(Next()) ?? "<unset>") + "\n");
            break;
        case "cwd":
            Write(stdout, Environment.CurrentDirectory + "\n");
            break;
        case "pid":
            Write(stdout, $"{Environment.ProcessId} {Native.getpgid(0)} {Native.getsid(0)}\n");
            break;
        case "ppid":
            Write(stdout, $"{Native.getppid()}\n");
            break;
        case "fds":
            foreach (var link in Directory.GetFiles("/proc/self/fd").Select(f => (Fd: int.Parse(Path.GetFileName(f)), Path: f)).Where(l => l.Fd > 2).OrderBy(l => l.Fd))
                Write(stdout, $"{link.Fd} {Target(link.Path)}\n");
            break;
        case "spawn-fds":
            Write(stdout, new ProcessSpec(Environment.ProcessPath!, "fds").WithCapturedOutput().Run(check: true).StdoutText);
            break;
        case "sleep":
            Thread.Sleep(TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)));
            break;
        case "exit":
            return int.Parse(Next());
        case "signal":
            Native.kill(Environment.ProcessId, int.Parse(Next()));
            Thread.Sleep(Timeout.Infinite);
            break;
        case "write-stdout":
            WriteBytes(stdout, long.Parse(Next()));
            break;
        case "write-stderr":
            WriteBytes(stderr, long.Parse(Next()));
            break;
        case "write-both":
            WriteBoth(long.Parse(Next()));
            break;
        case "cat":
            Console.OpenStandardInput().CopyTo(stdout, 1 << 16);
            break;
        case "count-stdin":
            long total = 0;
            var buffer = new byte[1 << 16];
            var stdin = Console.OpenStandardInput();
            int n;
            while ((n = stdin.Read(buffer)) > 0)
                total += n;
            Write(stdout, $"{total}\n");
            break;
        case "ignore-term":
            Native.signal(15, 1); // SIG_IGN: survives exec into a grandchild, as a real stubborn program's would
            break;
        case "grandchild":
            var seconds = Next();
            var grandchild = new ProcessSpec(Environment.ProcessPath!, "sleep", seconds)
                .WithProcessGroup(ProcessGroupMode.Inherit).Start();
            Write(stdout, $"{grandchild.Pid}\n");
            break;
        case "spawn-kept" or "spawn-plain":
            var kept = steps[i] == "spawn-kept";
            var count = int.Parse(Next());
            var duration = Next();
            for (var k = 0; k < count; k++)
            {
                var child = new ProcessSpec(Environment.ProcessPath!, "sleep", duration)
                    .WithStdin(Stdio.Null).WithStdout(Stdio.Null).WithKillOnParentExit(kept).Start();
                Write(stdout, $"{child.Pid}\n");
            }

            Write(stdout, "ready\n");
            Thread.Sleep(Timeout.Infinite);
            break;
        case "worker":
            var daemon = Next() == "daemon";
            new WorkerProcess(WorkerTargets.SleepFor, double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)) { Daemon = daemon }.Start();
            Thread.Sleep(Timeout.Infinite);
            break;
        case "help" or "--help":
            Write(stdout, Usage);
            break;
        default:
            Write(stderr, $"Fanout.TestChild: unknown step '{steps[i]}'\n{Usage}");
            return 2;
    }
}

return 0;

static void Write(Stream stream, string text)
{
    stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
    stream.Flush();
}

static void WriteBytes(Stream stream, long count)
{
    var chunk = new byte[1 << 16];
    Array.Fill(chunk, (byte)'x');
    while (count > 0)
    {
        var n = (int)Math.Min(count, chunk.Length);
        stream.Write(chunk, 0, n);
        count -= n;
    }

    stream.Flush();
}

static void WriteBoth(long count)
{
    // Two threads, so a parent that reads only one pipe at a time deadlocks as soon as the other fills.
    var a = new Thread(() => WriteBytes(Console.OpenStandardOutput(), count));
    var b = new Thread(() => WriteBytes(Console.OpenStandardError(), count));
    a.Start();
    b.Start();
    a.Join();
    b.Join();
}

static string Target(string link)
{
    try
    {
        return new FileInfo(link).LinkTarget ?? "?";
    }
    catch (IOException)
    {
        return "?";
    }
}

/// <summary>Targets for the worker processes this program starts.</summary>
internal static class WorkerTargets
{
    /// <summary>Writes this worker's pid, then sleeps.</summary>
    internal static void SleepFor(double seconds)
    {
        Console.WriteLine(Environment.ProcessId);
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
    }
}

internal static partial class Native
{
    [LibraryImport("libc")]
    internal static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    internal static partial int getpgid(int pid);

    [LibraryImport("libc")]
    internal static partial int getsid(int pid);

    [LibraryImport("libc")]
    internal static partial int getppid();

    [LibraryImport("libc")]
    internal static partial nint signal(int signal, nint handler);
}
