namespace Fanout.Batch;

/// <summary>What a replacement string inserts.</summary>
internal enum ReplacementKind
{
    /// <summary><c>{}</c>, <c>{n}</c>: the value as it is.</summary>
    Value,

    /// <summary><c>{.}</c>, <c>{n.}</c>: the value without its extension.</summary>
    WithoutExtension,

    /// <summary><c>{/}</c>, <c>{n/}</c>: the value without its directory.</summary>
    Basename,

    /// <summary><c>{//}</c>, <c>{n//}</c>: the value's directory.</summary>
    Dirname,

    /// <summary><c>{/.}</c>, <c>{n/.}</c>: the value without directory and extension.</summary>
    BasenameWithoutExtension,

    /// <summary><c>{#}</c>: the job's sequence number, from 1.</summary>
    Sequence,

    /// <summary><c>{%}</c>: the job slot, from 1.</summary>
    Slot,
}

/// <summary>
/// One replacement string found in a template word.
/// <see cref="Position"/> is 0 for the forms that use every input value (<c>{}</c>, <c>{.}</c>…),
/// n for <c>{n…}</c> and -n for <c>{-n…}</c> (counted from the last input source). <see cref="Text"/> is
/// the replacement string as written, <see cref="Word"/> the template word holding it, for messages.
/// </summary>
internal readonly record struct Replacement(ReplacementKind Kind, int Position, string Text, string Word)
{
    /// <summary>True for <c>{}</c>, <c>{.}</c>, <c>{/}</c>, <c>{//}</c> and <c>{/.}</c>: the forms that insert every value of a job.</summary>
    internal bool UsesEveryValue => Position == 0 && Kind is not (ReplacementKind.Sequence or ReplacementKind.Slot);

    /// <summary>The value after this replacement's path edit.</summary>
    internal string Transform(string value) => Kind switch
    {
        ReplacementKind.WithoutExtension => ParallelPaths.RemoveExtension(value),
        ReplacementKind.Basename => ParallelPaths.Basename(value),
        ReplacementKind.Dirname => ParallelPaths.Dirname(value),
        ReplacementKind.BasenameWithoutExtension => ParallelPaths.BasenameWithoutExtension(value),
        _ => value,
    };
}
