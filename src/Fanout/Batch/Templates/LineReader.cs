namespace Fanout.Batch;

/// <summary>
/// Splits text into records at a delimiter, as GNU parallel does with Perl's <c>$/</c>: <c>\n</c>
/// by default, NUL for <c>-0</c>, any text for <c>-d</c>. With <c>\n</c>, a <c>\r</c> stays part of
/// the value (unlike <see cref="TextReader.ReadLine"/>); an empty record is an empty value, and a
/// last record without a delimiter still counts.
/// </summary>
internal static class LineReader
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>The records of <paramref name="reader"/>, read chunk by chunk as enumerated.</summary>
    internal static IEnumerable<string> Records(TextReader reader, string delimiter = "\n")
    {
        ArgumentException.ThrowIfNullOrEmpty(delimiter);
        // window[..length] is text read and not yet given out; no delimiter starts before searched.
        var window = new char[ChunkSize];
        var length = 0;
        var searched = 0;
        while (true)
        {
            if (length == window.Length)
                Array.Resize(ref window, window.Length * 2); // a record longer than the window
            var read = reader.Read(window, length, window.Length - length);
            if (read == 0)
                break;
            length += read;
            var start = 0;
            while (true)
            {
                var found = window.AsSpan(searched, length - searched).IndexOf(delimiter.AsSpan());
                if (found < 0)
                {
                    // A delimiter may begin in the last few characters and end in the next read.
                    searched = Math.Max(start, length - delimiter.Length + 1);
                    break;
                }

                var end = searched + found;
                yield return new string(window, start, end - start);
                start = end + delimiter.Length;
                searched = start;
            }

            if (start > 0)
            {
                Array.Copy(window, start, window, 0, length - start);
                length -= start;
                searched -= start;
            }
        }

        if (length > 0)
            yield return new string(window, 0, length);
    }
}
