using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Gatehouse.Server.Features.Messaging;
using QRCoder;

namespace Gatehouse.Server.Features.Mobile;

/// <summary>What a mobile credential's welcome message says: who sends it, to whom, the activation link and until when it works.</summary>
internal sealed record MobileLetter(string OrganizationName, string FirstName, string Link, DateTimeOffset ExpiresAt, TimeZoneInfo Zone);

/// <summary>
/// The welcome message of a mobile credential: an email (plain text, and HTML with the link's QR code for someone
/// reading it on a computer) and a text message. The link's code is after <c>#</c>, so it never reaches a server log.
/// </summary>
internal static class MobileMessages
{
    public const string Kind = "mobileCredential";

    /// <summary>The QR code's content ID inside the HTML email.</summary>
    public const string QrContentId = "activation-qr@gatehouse";

    public static string Subject(MobileLetter letter) => $"Open your doors at {letter.OrganizationName} with your phone";

    /// <summary>The activation link for a code: the app's page, the code in the fragment.</summary>
    public static string Link(string linkBase, string code) => $"{linkBase}/app/activate#{code}";

    public static MessageContent Email(MobileLetter l)
    {
        var until = When(l.ExpiresAt, l.Zone);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {l.FirstName},\n\n")
            .Append(CultureInfo.InvariantCulture, $"{l.OrganizationName} has given you a mobile credential: your phone opens your doors.\n\n")
            .Append("1. Open this link on your phone (Chrome on Android, Safari on iPhone):\n\n")
            .Append(CultureInfo.InvariantCulture, $"{l.Link}\n\n")
            .Append("   Reading this on a computer? Open the email's QR code with your phone's camera.\n")
            .Append(CultureInfo.InvariantCulture, $"2. Give your phone a name and tap Activate. The link works once, until {until}.\n")
            .Append("3. Install the app: on Android, Chrome's menu > Install app (or Add to Home screen); on iPhone, Share > Add to Home Screen.\n\n")
            .Append("Then open Gatehouse and tap a door to unlock it. Where there is no network, tap Show to the door and hold your phone up to the door's camera.\n\n")
            .Append("The link only works on the phone that opens it first. If you did not expect this message, ignore it.\n")
            .ToString();

        var e = HtmlEncoder.Default;
        var html = new StringBuilder()
            .Append("<!doctype html><html><body style=\"font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937;line-height:1.5\">")
            .Append(CultureInfo.InvariantCulture, $"<p>Hello {e.Encode(l.FirstName)},</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>{e.Encode(l.OrganizationName)} has given you a mobile credential: your phone opens your doors.</p>")
            .Append("<ol>")
            .Append(CultureInfo.InvariantCulture, $"<li><p>On your phone, <a href=\"{e.Encode(l.Link)}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:8px;text-decoration:none;font-weight:600\">Set up my phone</a></p>")
            .Append(CultureInfo.InvariantCulture, $"<p>On a computer, scan this with your phone's camera:<br><img src=\"cid:{QrContentId}\" width=\"200\" height=\"200\" alt=\"QR code of the activation link\"></p></li>")
            .Append(CultureInfo.InvariantCulture, $"<li>Give your phone a name and tap <strong>Activate</strong>. The link works once, until {e.Encode(until)}.</li>")
            .Append("<li>Install the app: on Android, Chrome's menu &gt; <strong>Install app</strong> (or Add to Home screen); on iPhone, Share &gt; <strong>Add to Home Screen</strong>.</li>")
            .Append("</ol>")
            .Append("<p>Then open Gatehouse and tap a door to unlock it. Where there is no network, tap <strong>Show to the door</strong> and hold your phone up to the door's camera.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p style=\"color:#6b7280;font-size:.9em\">If the button does not work, open this link on your phone: {e.Encode(l.Link)}<br>The link only works on the phone that opens it first. If you did not expect this message, ignore it.</p>")
            .Append("</body></html>")
            .ToString();
        return new MessageContent(text, html, [new MessageImage(QrContentId, "image/png", QrPng(l.Link))]);
    }

    public static string Text(MobileLetter l) =>
        $"{l.OrganizationName}: set up your phone to open your doors: {l.Link} (works once, until {When(l.ExpiresAt, l.Zone)}).";

    /// <summary>A QR code of <paramref name="text"/> as a PNG, with the standard quiet zone.</summary>
    public static byte[] QrPng(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(6);
    }

    private static string When(DateTimeOffset at, TimeZoneInfo zone) =>
        Features.CloudKeys.CloudKeyMessages.When(at, zone);
}
