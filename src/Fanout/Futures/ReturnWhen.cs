namespace Fanout;

/// <summary>When <see cref="Futures.Wait(IEnumerable{Future}, TimeSpan?, ReturnWhen)"/> returns (Python's <c>return_when</c>).</summary>
public enum ReturnWhen
{
    /// <summary>When every future is done (or the time is up).</summary>
    AllCompleted,

    /// <summary>As soon as any future is done.</summary>
    FirstCompleted,

    /// <summary>As soon as any future threw; when none does, when all are done.</summary>
    FirstException,
}
