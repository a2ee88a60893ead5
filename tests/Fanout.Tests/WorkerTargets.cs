namespace Fanout.Tests;

/// <summary>What the worker specs run in worker processes: static methods, so nothing is captured.</summary>
internal static class WorkerTargets
{
    internal static void Noop()
    {
    }

    internal static int Add(int a, int b) => a + b;

    internal static Point Mirror(Point point) => new(point.Y, point.X);

    internal static async Task<string> GreetAsync(string name)
    {
        await Task.Delay(10);
        return $"hello {name}";
    }

    internal static WorkerInfo Describe() =>
        new(CurrentProcess.Name, CurrentProcess.Pid, CurrentProcess.ParentPid, CurrentProcess.IsWorker, CurrentProcess.IsDaemon);

    internal static string StartNestedWorker()
    {
        var nested = new WorkerProcess(Describe);
        nested.Start();
        nested.Join();
        return nested.GetResult<WorkerInfo>().Name;
    }

    internal static void SleepFor(double seconds) => Thread.Sleep(TimeSpan.FromSeconds(seconds));

    internal static void ExitWith(int code) => Environment.Exit(code);

    internal static void Fail(string message) => throw new InvalidOperationException(message);

    internal static void FailWithInner()
    {
        try
        {
            _ = int.Parse("not a number", System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException("could not read the input", e);
        }
    }

    internal static int CountCharacters(string text, Func<char, bool> predicate) => text.Count(predicate);
}

/// <summary>A record argument and result.</summary>
internal sealed record Point(int X, int Y);

/// <summary>What a worker knows about itself.</summary>
internal sealed record WorkerInfo(string Name, int Pid, int ParentPid, bool IsWorker, bool IsDaemon);

/// <summary>A record whose instance method can run in a worker: a copy made from its properties equals it.</summary>
internal sealed record Multiplier(int Factor)
{
    public int Apply(int n) => n * Factor;
}

/// <summary>A class with private state: a copy made from its public properties would not be the same object.</summary>
internal sealed class Counter
{
    private int _count;

    public int Next() => ++_count;
}

/// <summary>A subclass: its public properties travel to the worker, where Run() writes a line to a file.</summary>
public sealed class Echoer : WorkerProcess
{
    /// <summary>What to write.</summary>
    public string Text { get; set; } = "";

    /// <summary>Where to write it.</summary>
    public string OutputPath { get; set; } = "";

    /// <inheritdoc />
    protected override void Run() => File.WriteAllText(OutputPath, $"In {Name}: {Text}");
}

/// <summary>Targets whose values test the wire's edges: text and numbers the fast path leaves to the serializer, and targets found by name instead of by token.</summary>
internal static class WireTargets
{
    internal static string Echo(string text, double number, long big, int? missing, bool flag) =>
        $"{text}|{number.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}|{big}|{(missing is null ? "null" : "set")}|{flag}";

    internal static double Halve(double number) => number / 2;

    internal static T Identity<T>(T value) => value;
}

/// <summary>A generic class: its methods are found by name in the worker, as a type token cannot name <c>Box&lt;int&gt;</c>.</summary>
internal static class Box<T>
{
    internal static T[] Twice(T value) => [value, value];
}
