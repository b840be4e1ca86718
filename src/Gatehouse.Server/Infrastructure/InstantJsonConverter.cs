using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Instants in requests must carry their offset (<c>2026-03-09T12:15:00Z</c>, <c>…+01:00</c>): a time
/// without one would be read in whatever zone the server runs in, and a door would open at the wrong hour.
/// </summary>
internal sealed class InstantJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is null || !HasOffset(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw new FieldFormatException("Must be an ISO-8601 instant with an offset, such as 2026-03-09T12:15:00Z.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        if (t < 0)
        {
            return false;
        }

        var time = text.AsSpan(t);
        return time.EndsWith("Z") || time.EndsWith("z") || time.LastIndexOfAny('+', '-') > 0;
    }
}

/// <summary>A JSON value of the right type but the wrong form; its message is shown to the caller as is.</summary>
internal sealed class FieldFormatException(string message) : JsonException(message);
