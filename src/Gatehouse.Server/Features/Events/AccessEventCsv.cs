using System.Globalization;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.Decisions;

namespace Gatehouse.Server.Features.Events;

/// <summary>
/// Writes access events as CSV (RFC 4180: CRLF line ends, quotes where needed). <c>reason</c> is the API's
/// code, for integrators; <c>reasonText</c>, added last so existing columns keep their places, is the same
/// reason in words for people reading the file. Names are typed by
/// administrators, so a cell that a spreadsheet would run as a formula is defused with a leading quote.
/// </summary>
internal static class AccessEventCsv
{
    private static readonly string[] Header =
    [
        "id", "occurredAt", "result", "reason", "doorId", "doorName", "userId", "userName",
        "credentialId", "credentialType", "source", "deviceId", "receivedAt", "reasonText",
    ];

    public static async Task WriteAsync(Stream body, IAsyncEnumerable<AccessEventDto> events, CancellationToken ct)
    {
        // With a byte order mark, spreadsheets read the names as UTF-8 rather than the local code page.
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024);
        var line = new StringBuilder(256);
        await writer.WriteAsync(Row(line, Header));
        await foreach (var e in events.WithCancellation(ct))
        {
            await writer.WriteAsync(Row(line,
            [
                Id(e.Id),
                Instant(e.OccurredAt),
                e.Granted ? "granted" : "denied",
                e.Reason,
                Id(e.DoorId),
                e.DoorName,
                Id(e.UserId),
                e.UserName,
                Id(e.CredentialId),
                e.CredentialType is { } type ? ApiName(type) : null,
                ApiName(e.Source),
                Id(e.DeviceId),
                Instant(e.ReceivedAt),
                AccessReasons.DescribeApiName(e.Reason),
            ]));
        }

        await writer.FlushAsync(ct);
    }

    /// <summary>One CSV record, CRLF-terminated.</summary>
    public static string Row(StringBuilder line, ReadOnlySpan<string?> cells)
    {
        line.Clear();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            AppendCell(line, cells[i]);
        }

        return line.Append("\r\n").ToString();
    }

    private static void AppendCell(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        // Names are refused with control characters now, but rows stored before may hold them: a NUL or
        // an escape sequence never reaches the file (line breaks and tabs are quoted instead).
        if (value.AsSpan().ContainsAnyInRange('\0', '\u001F') || value.AsSpan().ContainsAnyInRange('\u007F', '\u009F'))
        {
            value = string.Create(value.Length, value, static (chars, text) =>
            {
                for (var i = 0; i < text.Length; i++)
                {
                    chars[i] = char.IsControl(text[i]) && text[i] is not ('\r' or '\n' or '\t') ? '\uFFFD' : text[i];
                }
            });
        }

        var defuse = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        var quote = defuse || value.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        if (!quote)
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        if (defuse)
        {
            line.Append('\'');
        }

        line.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static string? Id(Guid? id) => id?.ToString();

    private static string Instant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The API's spelling of an enum member: <c>cloudKey</c>, <c>remoteUnlock</c>.</summary>
    private static string ApiName<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
