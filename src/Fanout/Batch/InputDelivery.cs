namespace Fanout.Batch;

/// <summary>How a job's <see cref="JobSpec.StandardInput"/> reaches it.</summary>
public enum InputDelivery
{
    /// <summary>Through a pipe on its standard input (GNU parallel's <c>--pipe</c>).</summary>
    StandardInput,

    /// <summary>
    /// In a temporary file of its own, named by the <c>PARALLEL_TMP</c> variable and removed when
    /// the job ends (GNU parallel's <c>--cat</c>), for programs that read only named files or seek.
    /// </summary>
    TemporaryFile,

    /// <summary>
    /// Through a named pipe (a FIFO) named by <c>PARALLEL_TMP</c> and removed when the job ends
    /// (GNU parallel's <c>--fifo</c>): no copy on disk, for programs that read a named file once.
    /// A job that exits without opening it just ends; it is not left waiting.
    /// </summary>
    NamedPipe,
}
