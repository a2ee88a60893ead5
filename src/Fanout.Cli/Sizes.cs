using System.Globalization;

namespace Fanout.Cli;

/// <summary>Reads sizes such as <c>512M</c>, <c>2G</c> or <c>1500k</c> (powers of 1024; plain numbers are bytes).</summary>
internal static class Sizes
{
    internal static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        var unit = char.ToUpperInvariant(text[^1]);
        var multiplier = unit switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1L };
        var number = multiplier == 1 && !char.IsAsciiDigit(text[^1]) ? null : multiplier == 1 ? text : text[..^1];
        if (number is null || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
            return false;
        bytes = (long)(value * multiplier);
        return true;
    }
}
