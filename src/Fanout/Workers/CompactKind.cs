namespace Fanout;

/// <summary>The value types the compact pool wire carries without JSON (see <see cref="CompactWire"/>).</summary>
internal enum CompactKind : byte
{
    /// <summary>Not carried compactly: the value goes as JSON.</summary>
    None = 0,

    /// <summary>A <see cref="int"/>, four bytes little-endian.</summary>
    Int32 = 1,

    /// <summary>A <see cref="long"/>, eight bytes little-endian.</summary>
    Int64 = 2,

    /// <summary>A <see cref="double"/>, its eight IEEE bytes (NaN and infinities included).</summary>
    Double = 3,

    /// <summary>A <see cref="bool"/>, one byte.</summary>
    Boolean = 4,

    /// <summary>A <see cref="string"/>: a four-byte UTF-8 length (-1 for null), then the bytes.</summary>
    String = 5,
}
