namespace Fanout;

/// <summary>Typed <c>Submit</c> overloads for every <see cref="IExecutor"/>: the result type comes from the method.</summary>
/// <example>
/// <code>
/// var size = executor.Submit(Download, "http://127.0.0.1:8080/a");   // Future&lt;int&gt;
/// var power = executor.Submit(BigInteger.Pow, new BigInteger(323), 1235);
/// </code>
/// </example>
public static class ExecutorExtensions
{
    /// <summary>Schedules <paramref name="fn"/>() and returns its future.</summary>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public static Future<TResult> Submit<TResult>(this IExecutor executor, Func<TResult> fn)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Submit<TResult>(fn);
    }

    /// <summary>Schedules <paramref name="fn"/>(<paramref name="arg1"/>) and returns its future.</summary>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public static Future<TResult> Submit<T1, TResult>(this IExecutor executor, Func<T1, TResult> fn, T1 arg1)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Submit<TResult>(fn, arg1);
    }

    /// <summary>Schedules <paramref name="fn"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) and returns its future.</summary>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public static Future<TResult> Submit<T1, T2, TResult>(this IExecutor executor, Func<T1, T2, TResult> fn, T1 arg1, T2 arg2)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Submit<TResult>(fn, arg1, arg2);
    }

    /// <summary>Schedules <paramref name="fn"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) and returns its future.</summary>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public static Future<TResult> Submit<T1, T2, T3, TResult>(this IExecutor executor, Func<T1, T2, T3, TResult> fn, T1 arg1, T2 arg2, T3 arg3)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Submit<TResult>(fn, arg1, arg2, arg3);
    }

    /// <summary>Schedules <paramref name="fn"/>(), which returns nothing; the future's result is null.</summary>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public static Future<object?> Submit(this IExecutor executor, Action fn)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Submit<object?>(fn);
    }

    /// <summary>Schedules <paramref name="fn"/>(<paramref name="arg1"/>), which returns nothing; the future's result is null.</summary>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public static Future<object?> Submit<T1>(this IExecutor executor, Action<T1> fn, T1 arg1)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Submit<object?>(fn, arg1);
    }
}
