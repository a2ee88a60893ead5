using System.Diagnostics;

namespace Fanout;

/// <summary>
/// A short spin before sleeping on a futex, whose length each object learns in each process.
/// A hand-off that lands within the spin costs no system call and no context switch on either
/// side — a sleep and a wake cost two of each, some tens of microseconds. But a spin only pays
/// when the other process is running on another core: when it is not, the spin burns a core it
/// may be waiting for. So the budget follows what happened: a hand-off seen while spinning raises
/// it to a few times what that took, a spin that saw nothing halves it, and at the bottom every
/// sixteenth wait still probes with the longest spin, so a pair of processes that both fell back
/// to sleeping finds its way back to spinning. A machine with one core never spins.
/// <para>
/// Not thread-safe by design: threads that race on the budget only blur what it learnt.
/// </para>
/// </summary>
internal sealed unsafe class AdaptiveSpin
{
    private static readonly long s_ticksPerMicrosecond = Math.Max(1, Stopwatch.Frequency / 1_000_000);
    private static readonly long s_minimumTicks = 1 * s_ticksPerMicrosecond;
    private static readonly long s_maximumTicks = 50 * s_ticksPerMicrosecond;
    private static readonly bool s_canSpin = Environment.ProcessorCount > 1;

    private const int ProbeEvery = 16;

    private long _budgetTicks = s_maximumTicks;
    private int _waitsAtMinimum;

    /// <summary>
    /// Spins while <c>*word == value</c>, up to the budget; true when the word changed (the caller
    /// looks again instead of sleeping), false when the budget ran out.
    /// </summary>
    internal bool SpinWhile(int* word, int value)
    {
        if (!s_canSpin)
            return false;
        var budget = _budgetTicks;
        if (budget <= s_minimumTicks && ++_waitsAtMinimum % ProbeEvery == 0)
            budget = s_maximumTicks;
        var start = Stopwatch.GetTimestamp();
        var now = start;
        do
        {
            if (Volatile.Read(ref *word) != value)
            {
                _budgetTicks = Math.Min(s_maximumTicks, Math.Max(_budgetTicks, 4 * (now - start)));
                return true;
            }

            Thread.SpinWait(8);
            now = Stopwatch.GetTimestamp();
        }
        while (now - start < budget);

        _budgetTicks = Math.Max(s_minimumTicks, _budgetTicks / 2);
        return false;
    }
}
