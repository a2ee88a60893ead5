namespace Fanout.Batch;

/// <summary>
/// A command template or its input sources (<c>:::</c>, <c>::::</c>, <c>:::+</c>, <c>::::+</c>) are
/// wrong: a replacement string such as <c>{3}</c> names an input source that does not exist, an
/// input group has no values, an input file cannot be read, and so on. The message names the word
/// or file at fault; <see cref="Word"/> holds it.
/// </summary>
public sealed class TemplateException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="word">The word of the command line or the input file at fault.</param>
    /// <param name="message">What is wrong, naming <paramref name="word"/>.</param>
    /// <param name="innerException">The underlying error, if any (for example the file's I/O error).</param>
    public TemplateException(string word, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Word = word;
    }

    /// <summary>The word of the command line or the input file at fault.</summary>
    public string Word { get; }
}
