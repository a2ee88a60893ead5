namespace Fanout.Batch;

/// <summary>How <see cref="ShardedInput"/> picks the job for a line from its column's value.</summary>
public enum ShardRule
{
    /// <summary>A hash of the value (GNU parallel's <c>--shard</c>): equal values go to the same job, and many values spread evenly.</summary>
    Hash,

    /// <summary>The value as a whole number, modulo the number of jobs, 0 going to the last (GNU parallel's <c>--bin</c>).</summary>
    Bin,
}
