using System.Globalization;
using System.Text.Json;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Events;

/// <summary>
/// The access history as CSV, through <see cref="CsvExport"/> (which defuses formulas and control characters).
/// <c>reason</c> is the API's code, for integrators; <c>reasonText</c>, added last so existing columns keep their
/// places, is the same reason in words for people reading the file.
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
        await using var csv = CsvExport.To(body);
        await csv.WriteRowAsync(Header);
        await foreach (var e in events.WithCancellation(ct))
        {
            await csv.WriteRowAsync(
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
            ]);
        }
    }

    private static string? Id(Guid? id) => id?.ToString();

    private static string Instant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The API's spelling of an enum member: <c>cloudKey</c>, <c>remoteUnlock</c>.</summary>
    private static string ApiName<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
