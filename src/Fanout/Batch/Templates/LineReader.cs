using System.Text;

namespace Fanout.Batch;

/// <summary>
/// Splits text into lines at <c>\n</c> only (or at NUL, for <c>-0</c>), as GNU parallel does: a
/// <c>\r</c> stays part of the value (unlike <see cref="TextReader.ReadLine"/>), an empty line is an
/// empty value, and a last line without a terminator still counts.
/// </summary>
internal static class LineReader
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>The lines of <paramref name="reader"/>, read chunk by chunk as enumerated.</summary>
    internal static IEnumerable<string> Lines(TextReader reader, char terminator = '\n')
    {
        var buffer = new char[ChunkSize];
        var partial = new StringBuilder();
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, terminator, start, read - start);
                if (newline < 0)
                {
                    partial.Append(buffer, start, read - start);
                    break;
                }

                if (partial.Length > 0)
                {
                    partial.Append(buffer, start, newline - start);
                    yield return partial.ToString();
                    partial.Clear();
                }
                else
                {
                    yield return new string(buffer, start, newline - start);
                }

                start = newline + 1;
            }
        }

        if (partial.Length > 0)
            yield return partial.ToString();
    }
}
