using System.Globalization;

namespace Fanout.Cli;

/// <summary>Reads sizes such as <c>512M</c>, <c>2G</c> or <c>1500k</c>; plain numbers are bytes.</summary>
internal static class Sizes
{
    /// <summary>A size with K, M, G, T (either case) as powers of 1024, as Slurm reads a manifest's memory.</summary>
    internal static bool TryParse(string text, out long bytes) => TryParse(text, lowercaseIsDecimal: false, out bytes);

    /// <summary>
    /// A size as GNU parallel reads <c>--block</c> and <c>--memfree</c>: K, M, G, T, P (and Ki, Mi…
    /// in either case) are powers of 1024, but lowercase k, m, g, t, p are powers of 1000, so
    /// <c>1k</c> is 1000 bytes and <c>1K</c> is 1024.
    /// </summary>
    internal static bool TryParseAsGnuParallel(string text, out long bytes) => TryParse(text, lowercaseIsDecimal: true, out bytes);

    private static bool TryParse(string text, bool lowercaseIsDecimal, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        var binarySuffix = text.Length > 1 && text[^1] is 'i' or 'I';
        if (binarySuffix)
            text = text[..^1];
        var unit = text[^1];
        var power = char.ToUpperInvariant(unit) switch { 'K' => 1, 'M' => 2, 'G' => 3, 'T' => 4, 'P' => 5, _ => 0 };
        if (power == 0 && (binarySuffix || !char.IsAsciiDigit(unit)))
            return false;
        var number = power == 0 ? text : text[..^1];
        var decimalUnit = lowercaseIsDecimal && !binarySuffix && char.IsAsciiLetterLower(unit);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
            return false;
        bytes = (long)(value * Math.Pow(decimalUnit ? 1000 : 1024, power));
        return true;
    }
}
