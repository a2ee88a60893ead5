namespace Fanout.Tests;

/// <summary>What cannot cross a process boundary is refused where the worker is created, saying why and how to fix it.</summary>
public sealed class WorkerRefusalSpecs : ProcessTestBase
{
    private readonly int _factor = 2;

    [Fact(Timeout = 5_000)]
    public async Task A_lambda_that_captures_a_variable_is_refused_with_how_to_fix_it()
    {
        var offset = 3;

        var refused = Assert.Throws<ArgumentException>(() => new WorkerProcess((int n) => n + offset, 1));

        Assert.Contains("the lambda captures 'offset'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("another process", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Pass the values as arguments instead", refused.Message, StringComparison.Ordinal);
        Assert.Contains("static lambda", refused.Message, StringComparison.Ordinal);
        Assert.Equal("target", refused.ParamName);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task A_lambda_that_uses_this_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => new WorkerProcess((int n) => n * _factor, 1));

        Assert.Contains("the lambda uses 'this'", refused.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task An_instance_method_of_an_object_that_cannot_be_copied_is_refused()
    {
        var counter = new Counter();

        var refused = Assert.Throws<ArgumentException>(() => new WorkerProcess(counter.Next));

        Assert.Contains("instance method of a Counter", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Use a static method", refused.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task An_argument_that_cannot_be_serialized_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => new WorkerProcess(WorkerTargets.CountCharacters, "abc", (Func<char, bool>)char.IsLetter));

        Assert.Contains("Argument 2 for parameter 'predicate'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be sent to a worker process", refused.Message, StringComparison.Ordinal);
        Assert.Equal("args", refused.ParamName);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 5_000)]
    public async Task Arguments_are_checked_against_the_targets_parameters()
    {
        var tooFew = Assert.Throws<ArgumentException>(() => new WorkerProcess(WorkerTargets.Add, 1));
        var wrongType = Assert.Throws<ArgumentException>(() => new WorkerProcess(WorkerTargets.Add, 1, "two"));
        var nullValue = Assert.Throws<ArgumentException>(() => new WorkerProcess(WorkerTargets.Add, 1, null));

        Assert.Contains("takes 2 argument(s) but 1 were given", tooFew.Message, StringComparison.Ordinal);
        Assert.Contains("is a String, but the parameter is a Int32", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("is null", nullValue.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }
}
