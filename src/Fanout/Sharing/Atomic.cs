using System.Runtime.CompilerServices;

namespace Fanout;

/// <summary>
/// Interlocked operations on any unmanaged <typeparamref name="T"/> that fits a machine word: adds for
/// the integer types (and a compare-exchange loop for float and double), exchanges for anything of
/// 4 or 8 bytes. The JIT folds the type tests away for each T.
/// </summary>
internal static class Atomic<T>
    where T : unmanaged
{
    internal static T Add(ref T location, T delta)
    {
        if (typeof(T) == typeof(int))
            return As(Interlocked.Add(ref Unsafe.As<T, int>(ref location), Unsafe.As<T, int>(ref delta)));
        if (typeof(T) == typeof(long))
            return As(Interlocked.Add(ref Unsafe.As<T, long>(ref location), Unsafe.As<T, long>(ref delta)));
        if (typeof(T) == typeof(uint))
            return As(Interlocked.Add(ref Unsafe.As<T, uint>(ref location), Unsafe.As<T, uint>(ref delta)));
        if (typeof(T) == typeof(ulong))
            return As(Interlocked.Add(ref Unsafe.As<T, ulong>(ref location), Unsafe.As<T, ulong>(ref delta)));
        if (typeof(T) == typeof(double))
            return As(AddDouble(ref Unsafe.As<T, double>(ref location), Unsafe.As<T, double>(ref delta)));
        if (typeof(T) == typeof(float))
            return As(AddSingle(ref Unsafe.As<T, float>(ref location), Unsafe.As<T, float>(ref delta)));
        throw new NotSupportedException($"Atomic add works on int, long, uint, ulong, float and double, not {typeof(T).Name}.");
    }

    internal static T Exchange(ref T location, T value) => Unsafe.SizeOf<T>() switch
    {
        4 => As(Interlocked.Exchange(ref Unsafe.As<T, int>(ref location), Unsafe.As<T, int>(ref value))),
        8 => As(Interlocked.Exchange(ref Unsafe.As<T, long>(ref location), Unsafe.As<T, long>(ref value))),
        _ => throw Unsupported("exchange"),
    };

    internal static T CompareExchange(ref T location, T value, T comparand) => Unsafe.SizeOf<T>() switch
    {
        4 => As(Interlocked.CompareExchange(ref Unsafe.As<T, int>(ref location), Unsafe.As<T, int>(ref value), Unsafe.As<T, int>(ref comparand))),
        8 => As(Interlocked.CompareExchange(ref Unsafe.As<T, long>(ref location), Unsafe.As<T, long>(ref value), Unsafe.As<T, long>(ref comparand))),
        _ => throw Unsupported("compare-exchange"),
    };

    /// <summary>A read no later read moves before (acquire), whole for 4- and 8-byte values.</summary>
    internal static T Read(ref T location)
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 4:
                return As(Volatile.Read(ref Unsafe.As<T, int>(ref location)));
            case 8:
                return As(Volatile.Read(ref Unsafe.As<T, long>(ref location)));
            default:
                var value = location;
                Interlocked.MemoryBarrier();
                return value;
        }
    }

    /// <summary>A write no earlier write moves after (release), whole for 4- and 8-byte values.</summary>
    internal static void Write(ref T location, T value)
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 4:
                Volatile.Write(ref Unsafe.As<T, int>(ref location), Unsafe.As<T, int>(ref value));
                break;
            case 8:
                Volatile.Write(ref Unsafe.As<T, long>(ref location), Unsafe.As<T, long>(ref value));
                break;
            default:
                Interlocked.MemoryBarrier();
                location = value;
                break;
        }
    }

    private static T As<TFrom>(TFrom value)
        where TFrom : unmanaged => Unsafe.As<TFrom, T>(ref value);

    private static double AddDouble(ref double location, double delta)
    {
        var seen = Volatile.Read(ref location);
        while (true)
        {
            var before = Interlocked.CompareExchange(ref location, seen + delta, seen);
            if (before.Equals(seen))
                return seen + delta;
            seen = before;
        }
    }

    private static float AddSingle(ref float location, float delta)
    {
        var seen = Volatile.Read(ref location);
        while (true)
        {
            var before = Interlocked.CompareExchange(ref location, seen + delta, seen);
            if (before.Equals(seen))
                return seen + delta;
            seen = before;
        }
    }

    private static NotSupportedException Unsupported(string operation) =>
        new($"Atomic {operation} works on values of 4 or 8 bytes; {typeof(T).Name} has {Unsafe.SizeOf<T>()}.");
}
