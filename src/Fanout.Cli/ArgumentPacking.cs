namespace Fanout.Cli;

/// <summary>How -m, -X or --xargs pack input arguments into command lines (see <see cref="Fanout.Batch.CommandLinePacker"/>).</summary>
/// <param name="Option">The option given, for messages.</param>
/// <param name="Spread">-m and -X: the last arguments are spread over the job slots.</param>
/// <param name="MaxLength">-s: the longest command line.</param>
/// <param name="JobSlots">-j: the job slots.</param>
internal sealed record ArgumentPacking(string Option, bool Spread, int MaxLength, int JobSlots);
