using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Gatehouse.Core.Schedules;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>What a Cloud Key's message says: who sends it, to whom, the link, the PIN and the validity.</summary>
internal sealed record CloudKeyLetter(
    string OrganizationName,
    string FirstName,
    string Link,
    string Pin,
    DateTimeOffset? ValidFrom,
    DateTimeOffset ValidUntil,
    TimeZoneInfo Zone,
    bool OneTimeUse);

/// <summary>
/// The templates of the Cloud Key messages: an email with HTML and plain-text bodies, and a text message.
/// Everything that comes from data is HTML-encoded in the HTML body.
/// </summary>
internal static class CloudKeyMessages
{
    public const string Kind = "cloudKey";

    public static string Subject(CloudKeyLetter letter) => $"Your Cloud Key for {letter.OrganizationName}";

    public static MessageContent Email(CloudKeyLetter l)
    {
        var validity = Validity(l);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {l.FirstName},\n\n")
            .Append(CultureInfo.InvariantCulture, $"{l.OrganizationName} has sent you a Cloud Key. Open this link on your phone to unlock your doors:\n\n")
            .Append(CultureInfo.InvariantCulture, $"{l.Link}\n\n")
            .Append(CultureInfo.InvariantCulture, $"Your PIN: {l.Pin}\n\n")
            .Append(CultureInfo.InvariantCulture, $"{validity}\n")
            .Append(l.OneTimeUse ? "It opens a door once only.\n" : "")
            .Append("\nKeep the link and the PIN to yourself: together they open your doors.\n")
            .ToString();

        var e = HtmlEncoder.Default;
        var html = new StringBuilder()
            .Append("<!doctype html><html><body style=\"font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937;line-height:1.5\">")
            .Append(CultureInfo.InvariantCulture, $"<p>Hello {e.Encode(l.FirstName)},</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>{e.Encode(l.OrganizationName)} has sent you a Cloud Key. Open it on your phone to unlock your doors.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"{e.Encode(l.Link)}\" style=\"display:inline-block;padding:12px 20px;background:#1d4ed8;color:#fff;border-radius:8px;text-decoration:none;font-weight:600\">Open my Cloud Key</a></p>")
            .Append(CultureInfo.InvariantCulture, $"<p>Your PIN: <strong style=\"font-size:1.25em;letter-spacing:.15em\">{e.Encode(l.Pin)}</strong></p>")
            .Append(CultureInfo.InvariantCulture, $"<p>{e.Encode(validity)}")
            .Append(l.OneTimeUse ? " It opens a door once only." : "")
            .Append("</p>")
            .Append(CultureInfo.InvariantCulture, $"<p style=\"color:#6b7280;font-size:.9em\">If the button does not work, copy this link: {e.Encode(l.Link)}<br>Keep the link and the PIN to yourself: together they open your doors.</p>")
            .Append("</body></html>")
            .ToString();
        return new MessageContent(text, html);
    }

    public static string Text(CloudKeyLetter l) =>
        $"{l.OrganizationName}: your Cloud Key {l.Link} PIN {l.Pin}. Valid until {Format(l.ValidUntil, l.Zone)}" +
        (l.OneTimeUse ? ", once only." : ".");

    private static string Validity(CloudKeyLetter l) => l.ValidFrom is { } from
        ? $"It is valid from {Format(from, l.Zone)} until {Format(l.ValidUntil, l.Zone)} ({Zone(l.Zone)})."
        : $"It is valid until {Format(l.ValidUntil, l.Zone)} ({Zone(l.Zone)}).";

    /// <summary>An instant as the messages and the key's page write it: "Wed 9 Dec 2026, 18:00 (Europe/London)".</summary>
    public static string When(DateTimeOffset at, TimeZoneInfo zone) => $"{Format(at, zone)} ({Zone(zone)})";

    private static string Format(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    private static string Zone(TimeZoneInfo zone) => zone.Id == "UTC" || zone.Id == "Etc/UTC" ? "UTC" : zone.Id.Replace('_', ' ');

    /// <summary>The time zone a key's message and its page give times in: that of the first site among the user's doors, else the organization's first.</summary>
    public static async Task<TimeZoneInfo> ZoneOfAsync(GatehouseDbContext db, Guid userId, CancellationToken ct)
    {
        var ofDoors = await (
                from m in db.UserAccessGroups
                where m.UserId == userId
                join gd in db.AccessGroupDoors on m.AccessGroupId equals gd.AccessGroupId
                join d in db.Doors on gd.DoorId equals d.Id
                join s in db.Sites on d.SiteId equals s.Id
                orderby s.CreatedAt, s.Id
                select s.TimeZone)
            .FirstOrDefaultAsync(ct);
        var id = ofDoors ?? await db.Sites.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => s.TimeZone).FirstOrDefaultAsync(ct);
        return TimeZones.TryFind(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }
}
