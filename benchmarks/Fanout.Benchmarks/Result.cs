using System.Text;
using System.Text.Json;

namespace Fanout.Benchmarks;

/// <summary>One measurement, printed as one line of JSON.</summary>
internal sealed class Result(string benchmark, string implementation)
{
    private readonly List<(string Name, object Value)> _fields = [("bench", benchmark), ("impl", implementation)];

    internal Result Add(string name, object value)
    {
        _fields.Add((name, value));
        return this;
    }

    internal string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in _fields)
            {
                switch (value)
                {
                    case string s:
                        json.WriteString(name, s);
                        break;
                    case int i:
                        json.WriteNumber(name, i);
                        break;
                    case long l:
                        json.WriteNumber(name, l);
                        break;
                    case double d:
                        json.WriteNumber(name, Math.Round(d, 6));
                        break;
                    default:
                        throw new ArgumentException($"Cannot write {value.GetType()} as JSON.", nameof(value));
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>A child did not do what the benchmark expects (wrong exit status or output).</summary>
internal sealed class BenchmarkFailedException(string message) : Exception(message);
