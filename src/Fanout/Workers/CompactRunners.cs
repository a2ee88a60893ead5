using System.Reflection;

namespace Fanout;

/// <summary>
/// Typed runners for a native (NativeAOT) application, which cannot make generic instantiations at
/// run time: every pair of compact argument and result types is written out here, so the compiler
/// builds each <see cref="TypedTaskRunner{T, TResult}"/> ahead of time and a native pool worker
/// takes compact calls as a JIT one does.
/// </summary>
internal static class CompactRunners
{
    /// <summary>The runner for <paramref name="method"/> (one argument), or null when its argument or result has no compact kind.</summary>
    internal static PoolTaskRunner? Create(MethodInfo method, object? owner, Type argument, Type result) => CompactWire.KindOf(argument) switch
    {
        CompactKind.Int32 => ForArgument<int>(method, owner, result),
        CompactKind.Int64 => ForArgument<long>(method, owner, result),
        CompactKind.Double => ForArgument<double>(method, owner, result),
        CompactKind.Boolean => ForArgument<bool>(method, owner, result),
        CompactKind.String => ForArgument<string>(method, owner, result),
        _ => null,
    };

    private static PoolTaskRunner? ForArgument<T>(MethodInfo method, object? owner, Type result) => CompactWire.KindOf(result) switch
    {
        CompactKind.Int32 => Make<T, int>(method, owner),
        CompactKind.Int64 => Make<T, long>(method, owner),
        CompactKind.Double => Make<T, double>(method, owner),
        CompactKind.Boolean => Make<T, bool>(method, owner),
        CompactKind.String => Make<T, string>(method, owner),
        _ => null,
    };

    private static TypedTaskRunner<T, TResult> Make<T, TResult>(MethodInfo method, object? owner) =>
        new(method.CreateDelegate<Func<T, TResult>>(owner));
}
