using System.Runtime.InteropServices;
using System.Text;

namespace Fanout;

/// <summary>
/// A child's environment marshalled for <c>posix_spawn</c>: the NULL-terminated array of
/// "NAME=value" pointers and the strings, in one native allocation. Immutable once built, so any
/// number of spawns may read it at once; it is freed when the last of them releases it.
/// </summary>
internal sealed unsafe class EnvironmentBlock : SafeHandle
{
    private EnvironmentBlock(nint block, string? searchPath)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(block);
        SearchPath = searchPath;
    }

    /// <summary>The <c>envp</c> argument of <c>posix_spawn</c>.</summary>
    internal byte** Envp => (byte**)handle;

    /// <summary>The child's PATH, where a program name without a slash is looked up; null when it has none.</summary>
    internal string? SearchPath { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Marshals <paramref name="variables"/>.</summary>
    internal static EnvironmentBlock Create(IReadOnlyList<KeyValuePair<string, string>> variables)
    {
        var size = 0;
        string? searchPath = null;
        foreach (var (name, value) in variables)
        {
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 2;
            if (name == "PATH")
                searchPath = value;
        }

        var pointers = (variables.Count + 1) * sizeof(byte*);
        var block = (byte*)NativeMemory.Alloc((nuint)(pointers + size));
        var table = (byte**)block;
        var next = block + pointers;
        for (var i = 0; i < variables.Count; i++)
        {
            table[i] = next;
            next += Encoding.UTF8.GetBytes(variables[i].Key, new Span<byte>(next, int.MaxValue));
            *next++ = (byte)'=';
            next += Encoding.UTF8.GetBytes(variables[i].Value, new Span<byte>(next, int.MaxValue));
            *next++ = 0;
        }

        table[variables.Count] = null;
        return new EnvironmentBlock((nint)block, searchPath);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
