using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Server.Features.Audit;

/// <summary>
/// The audit log in words for the console: field names as people say them ("validUntil" → "Valid until")
/// and recorded values as plain text rather than JSON. The API's <c>/audit</c> keeps the exact record.
/// </summary>
internal static class AuditText
{
    // Deep enough for any value the store records (a schedule's windows are an array of objects of arrays).
    private const int MaxDepth = 6;

    /// <summary>A recorded field's name in words: <c>validUntil</c> → "Valid until", <c>doorIds</c> → "Doors".</summary>
    public static string FieldName(string field) => field switch
    {
        "csn" => "CSN",
        "pin" => "PIN",
        "pinHash" => "PIN",
        "mqttUsername" => "MQTT username",
        _ when field.EndsWith("Ids", StringComparison.Ordinal) && field.Length > 3 => Words(field[..^3]) + "s",
        _ when field.EndsWith("Id", StringComparison.Ordinal) && field.Length > 2 => Words(field[..^2]),
        _ => Words(field),
    };

    /// <summary>A camelCase name as a sentence-case phrase: <c>cardCredential</c> → "Card credential".</summary>
    public static string Words(string camelCase)
    {
        if (camelCase.Length == 0)
        {
            return camelCase;
        }

        var words = new StringBuilder(camelCase.Length + 8);
        words.Append(char.ToUpperInvariant(camelCase[0]));
        foreach (var c in camelCase.AsSpan(1))
        {
            if (char.IsUpper(c))
            {
                words.Append(' ').Append(char.ToLowerInvariant(c));
            }
            else
            {
                words.Append(c);
            }
        }

        return words.ToString();
    }

    /// <summary>
    /// A recorded value as text: <paramref name="scalar"/> writes each string, number or null (names for
    /// IDs, local times, masks); lists are joined with commas, objects read "Start: 08:00, End: 18:00", and
    /// a string holding JSON (a schedule's windows) is read the same way.
    /// </summary>
    public static string Value(JsonElement value, Func<JsonElement, string> scalar)
    {
        var text = new StringBuilder();
        Append(text, value, scalar, 0);
        return text.ToString();
    }

    private static void Append(StringBuilder text, JsonElement value, Func<JsonElement, string> scalar, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                text.Append("yes");
                return;
            case JsonValueKind.False:
                text.Append("no");
                return;
            case JsonValueKind.String when depth < MaxDepth && LooksLikeJson(value.GetString()) is { } document:
                using (document)
                {
                    Append(text, document.RootElement, scalar, depth + 1);
                }

                return;
            case JsonValueKind.Array when depth < MaxDepth:
                var items = value.EnumerateArray().ToList();
                if (items.Count == 0)
                {
                    text.Append("none");
                    return;
                }

                // Objects in a list (windows) are set apart more clearly than plain items.
                var separator = items.Any(i => i.ValueKind == JsonValueKind.Object) ? "; " : ", ";
                for (var i = 0; i < items.Count; i++)
                {
                    text.Append(i > 0 ? separator : "");
                    Append(text, items[i], scalar, depth + 1);
                }

                return;
            case JsonValueKind.Object when depth < MaxDepth:
                var first = true;
                foreach (var property in value.EnumerateObject())
                {
                    text.Append(first ? "" : ", ").Append(FieldName(property.Name)).Append(": ");
                    Append(text, property.Value, scalar, depth + 1);
                    first = false;
                }

                return;
            case JsonValueKind.Array or JsonValueKind.Object:
                text.Append('…');
                return;
            case JsonValueKind.String when depth > 0 && Tidy(value.GetString()) is { } tidy:
                text.Append(tidy);
                return;
            default:
                text.Append(scalar(value));
                return;
        }
    }

    /// <summary>
    /// A value inside a stored list or record as a person writes it: a day as "Monday" (stored "monday"), a time
    /// of day as "08:00" (stored "08:00:00"); null for anything else.
    /// </summary>
    private static string? Tidy(string? text)
    {
        if (Enum.TryParse<DayOfWeek>(text, ignoreCase: true, out var day) && text.All(char.IsAsciiLetter))
        {
            return day.ToString();
        }

        return TimeOnly.TryParseExact(text, "HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.ToString(time.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture)
            : null;
    }

    private static JsonDocument? LooksLikeJson(string? text)
    {
        if (string.IsNullOrEmpty(text) || text[0] is not ('[' or '{'))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
