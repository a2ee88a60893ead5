namespace Fanout.Cli.Output;

/// <summary>
/// The one lock every writer to the console takes, so a job's output, a live line and the
/// progress bar never interleave mid-line.
/// </summary>
internal static class TerminalLock
{
    internal static readonly Lock Gate = new();
}
