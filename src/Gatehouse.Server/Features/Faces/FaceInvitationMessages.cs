using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Messaging;

namespace Gatehouse.Server.Features.Faces;

/// <summary>What a selfie invitation's message says: who sends it, to whom, the link and until when it works.</summary>
internal sealed record FaceInvitationLetter(string OrganizationName, string FirstName, string Link, DateTimeOffset ExpiresAt, TimeZoneInfo Zone);

/// <summary>
/// The templates of the selfie invitation messages: an email with HTML and plain-text bodies, and a text message.
/// Everything that comes from data is HTML-encoded in the HTML body.
/// </summary>
internal static class FaceInvitationMessages
{
    public const string Kind = "faceInvitation";

    public static string Subject(FaceInvitationLetter letter) => $"Enroll your face for {letter.OrganizationName}";

    public static MessageContent Email(FaceInvitationLetter l)
    {
        var until = CloudKeyMessages.When(l.ExpiresAt, l.Zone);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {l.FirstName},\n\n")
            .Append(CultureInfo.InvariantCulture, $"{l.OrganizationName} invites you to enroll your face, so you can open doors with it. Open this link on your phone and take a selfie:\n\n")
            .Append(CultureInfo.InvariantCulture, $"{l.Link}\n\n")
            .Append(CultureInfo.InvariantCulture, $"The page explains what is kept and asks for your consent first. The link works until {until}.\n")
            .ToString();

        var e = HtmlEncoder.Default;
        var html = new StringBuilder()
            .Append("<!doctype html><html><body style=\"font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937;line-height:1.5\">")
            .Append(CultureInfo.InvariantCulture, $"<p>Hello {e.Encode(l.FirstName)},</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>{e.Encode(l.OrganizationName)} invites you to enroll your face, so you can open doors with it. Open the link on your phone and take a selfie.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"{e.Encode(l.Link)}\" style=\"display:inline-block;padding:12px 20px;background:#1d4ed8;color:#fff;border-radius:8px;text-decoration:none;font-weight:600\">Take my selfie</a></p>")
            .Append(CultureInfo.InvariantCulture, $"<p>The page explains what is kept and asks for your consent first. The link works until {e.Encode(until)}.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p style=\"color:#6b7280;font-size:.9em\">If the button does not work, copy this link: {e.Encode(l.Link)}</p>")
            .Append("</body></html>")
            .ToString();
        return new MessageContent(text, html);
    }

    public static string Text(FaceInvitationLetter l) =>
        $"{l.OrganizationName}: enroll your face with a selfie {l.Link} Works until {CloudKeyMessages.When(l.ExpiresAt, l.Zone)}.";
}
