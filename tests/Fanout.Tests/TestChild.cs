namespace Fanout.Tests;

/// <summary>The project's own test child program (tests/Fanout.TestChild), built beside the tests.</summary>
internal static class TestChild
{
    /// <summary>The path of its executable.</summary>
    internal static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Fanout.TestChild");

    /// <summary>A spec that runs the test child with these steps.</summary>
    internal static ProcessSpec Spec(params string[] steps) => new(Path, steps);
}
