using System.Text;

namespace Fanout.Batch;

/// <summary>The lines of a stream as bytes, each with its newline (the last may have none), read through one reused buffer.</summary>
/// <param name="input">The stream.</param>
/// <param name="beforeWaiting">Called before a read that may have to wait: the last read was short, so the writer is slower than the reading.</param>
internal sealed class ByteLines(Stream input, Action? beforeWaiting = null)
{
    private bool _lastReadShort;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The next line, valid until the next call; null at the end of the stream.</summary>
    internal ReadOnlyMemory<byte>? NextLine()
    {
        var searched = _start;
        while (true)
        {
            var newline = _buffer.AsSpan(searched, _end - searched).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, searched + newline + 1 - _start);
                _start = searched + newline + 1;
                return line;
            }

            searched = _end;
            if (_ended)
            {
                if (_start == _end)
                    return null;
                var rest = _buffer.AsMemory(_start, _end - _start);
                _start = _end;
                return rest;
            }

            if (_start > 0)
            {
                // What is left of the buffer moves to its front; a line longer than the buffer grows it.
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                searched -= _start;
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= Array.MaxLength / 2)
                    throw new FanoutException($"The input holds a line of more than {_buffer.Length:N0} bytes.");
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            if (_lastReadShort)
                beforeWaiting?.Invoke();
            var room = _buffer.Length - _end;
            var n = input.Read(_buffer, _end, room);
            if (n == 0)
                _ended = true;
            _lastReadShort = n < room;
            _end += n;
        }
    }

    /// <summary>The next line as text, its newline kept; null at the end of the stream.</summary>
    internal string? NextLineText() => NextLine() is { } line ? Encoding.UTF8.GetString(line.Span) : null;
}
