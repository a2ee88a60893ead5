using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// Sends a <see cref="PipeConnection"/> to a worker as the descriptor number it will inherit, with
/// its directions: <c>{"fd":5,"receive":true,"send":true}</c>. Writing needs a worker being
/// started on this thread (see <see cref="InheritedDescriptors"/>); reading takes the inherited descriptor.
/// </summary>
internal sealed class PipeConnectionJsonConverter : JsonConverter<PipeConnection>
{
    private const string What = "PipeConnection";

    public override PipeConnection? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"A {What} travels as its inherited descriptor, not as {reader.TokenType}.");
        int? fd = null;
        bool receive = false, send = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case "fd":
                    fd = reader.GetInt32();
                    break;
                case "receive":
                    receive = reader.GetBoolean();
                    break;
                case "send":
                    send = reader.GetBoolean();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (fd is null || !(receive || send))
            throw new JsonException($"A {What} needs its descriptor and at least one direction.");
        return new PipeConnection(InheritedDescriptors.Claim(fd.Value, What), receive, send);
    }

    public override void Write(Utf8JsonWriter writer, PipeConnection value, JsonSerializerOptions options)
    {
        var fd = InheritedDescriptors.Add(value.Handle, What);
        writer.WriteStartObject();
        writer.WriteNumber("fd", fd);
        writer.WriteBoolean("receive", value.CanReceive);
        writer.WriteBoolean("send", value.CanSend);
        writer.WriteEndObject();
    }
}
