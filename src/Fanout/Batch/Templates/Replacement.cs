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

    /// <summary><c>{##}</c> (<c>--plus</c>): the number of jobs.</summary>
    TotalJobs,

    /// <summary><c>{0#}</c> (<c>--plus</c>): the sequence number, zero-padded to the width of the number of jobs.</summary>
    PaddedSequence,

    /// <summary><c>{0%}</c> (<c>--plus</c>): the job slot, zero-padded to the width of the number of slots.</summary>
    PaddedSlot,

    /// <summary><c>{+/}</c> (<c>--plus</c>): the directory part, or nothing.</summary>
    PlusDirectory,

    /// <summary><c>{+.}</c> (<c>--plus</c>): the last extension, or nothing.</summary>
    PlusExtension,

    /// <summary><c>{+..}</c> (<c>--plus</c>): the last two extensions, or nothing.</summary>
    PlusTwoExtensions,

    /// <summary><c>{+...}</c> (<c>--plus</c>): the last three extensions, or nothing.</summary>
    PlusThreeExtensions,

    /// <summary><c>{..}</c> (<c>--plus</c>): without the last two extensions.</summary>
    WithoutTwoExtensions,

    /// <summary><c>{...}</c> (<c>--plus</c>): without the last three extensions.</summary>
    WithoutThreeExtensions,

    /// <summary><c>{/..}</c> (<c>--plus</c>): the base name without its last two extensions.</summary>
    BasenameWithoutTwoExtensions,

    /// <summary><c>{/...}</c> (<c>--plus</c>): the base name without its last three extensions.</summary>
    BasenameWithoutThreeExtensions,

    /// <summary><c>{:-x}</c>, <c>{%.gz}</c>, <c>{/a/b}</c>… (<c>--plus</c>): the value after a <see cref="ValueEdit"/>.</summary>
    Edit,

    /// <summary><c>{slot}</c> (<c>--plus</c>): <c>${PARALLEL_JOBSLOT}</c>, inserted bare for the shell to expand.</summary>
    SlotVariable,

    /// <summary><c>{choose_k}</c> (<c>--plus</c>): the value, as <c>{}</c>; a job whose values do not strictly increase is skipped.</summary>
    ChooseK,

    /// <summary><c>{uniq}</c> (<c>--plus</c>): the value, as <c>{}</c>; a job with two equal values is skipped.</summary>
    Unique,
}

/// <summary>
/// One replacement string found in a template word.
/// <see cref="Position"/> is 0 for the forms that use every input value (<c>{}</c>, <c>{.}</c>…),
/// n for <c>{n…}</c> and -n for <c>{-n…}</c> (counted from the last input source). <see cref="Text"/> is
/// the replacement string as written, <see cref="Word"/> the template word holding it, for messages;
/// <see cref="Edit"/> is the edit of a <see cref="ReplacementKind.Edit"/>.
/// </summary>
internal readonly record struct Replacement(ReplacementKind Kind, int Position, string Text, string Word, ValueEdit? Edit = null)
{
    /// <summary>What GNU parallel's <c>{slot}</c> inserts.</summary>
    internal const string SlotVariableText = "${PARALLEL_JOBSLOT}";

    /// <summary>True for <c>{}</c>, <c>{.}</c>, <c>{/}</c>, <c>{//}</c> and <c>{/.}</c>: the forms that insert every value of a job.</summary>
    internal bool UsesEveryValue => Position == 0 && !IsJobNumber;

    /// <summary>True for the replacement strings that insert a number of the job rather than a value: <c>{#}</c>, <c>{%}</c>, <c>{##}</c>, <c>{0#}</c>, <c>{0%}</c>, <c>{slot}</c>.</summary>
    internal bool IsJobNumber => Kind is ReplacementKind.Sequence or ReplacementKind.Slot or ReplacementKind.TotalJobs or ReplacementKind.PaddedSequence or ReplacementKind.PaddedSlot or ReplacementKind.SlotVariable;

    /// <summary>The value after this replacement's path edit.</summary>
    internal string Transform(string value) => Kind switch
    {
        ReplacementKind.WithoutExtension => ParallelPaths.RemoveExtension(value),
        ReplacementKind.Basename => ParallelPaths.Basename(value),
        ReplacementKind.Dirname => ParallelPaths.Dirname(value),
        ReplacementKind.BasenameWithoutExtension => ParallelPaths.BasenameWithoutExtension(value),
        ReplacementKind.PlusDirectory => ParallelPlusPaths.Directory(value),
        ReplacementKind.PlusExtension => ParallelPlusPaths.Extension(value),
        ReplacementKind.PlusTwoExtensions => ParallelPlusPaths.TwoExtensions(value),
        ReplacementKind.PlusThreeExtensions => ParallelPlusPaths.ThreeExtensions(value),
        ReplacementKind.WithoutTwoExtensions => ParallelPlusPaths.WithoutTwoExtensions(value),
        ReplacementKind.WithoutThreeExtensions => ParallelPlusPaths.WithoutThreeExtensions(value),
        ReplacementKind.BasenameWithoutTwoExtensions => ParallelPlusPaths.BasenameWithoutTwoExtensions(value),
        ReplacementKind.BasenameWithoutThreeExtensions => ParallelPlusPaths.BasenameWithoutThreeExtensions(value),
        ReplacementKind.Edit => Edit!.Apply(value),
        _ => value,
    };
}
