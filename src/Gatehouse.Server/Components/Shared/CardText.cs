using System.Globalization;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Features.Credentials;

namespace Gatehouse.Server.Components.Shared;

/// <summary>
/// How the console shows a card. Admins see its numbers; viewers see only the last digits, as the logs do,
/// since a card's numbers are all it takes to clone it.
/// </summary>
internal static class CardText
{
    /// <summary>The kind of any credential as a short badge: the card's format, or "Cloud Key".</summary>
    public static string Kind(CredentialDto credential) => credential.Type switch
    {
        CredentialType.Card => credential.Format ?? "Card",
        CredentialType.CloudKey => "Cloud Key",
        CredentialType.Face => "Face",
        CredentialType.Mobile => "Mobile",
        _ => credential.Type.ToString(),
    };

    /// <summary>What tells one credential from the user's others: a card's numbers, or how and when a Cloud Key was sent.</summary>
    public static string Identity(CredentialDto credential, bool full) => credential.CloudKey is { } key
        ? $"sent {key.SentAt.UtcDateTime.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture)} UTC"
        : Numbers(credential, full);

    /// <summary>"FC 1 · No. 11572", "Company 12 · No. 4711", "No. 123456789" or the CSN; masked: "No. •••72".</summary>
    public static string Numbers(CredentialDto card, bool full)
    {
        if (card.Csn is { } csn)
        {
            return full ? csn : "•••" + csn[^Math.Min(3, csn.Length)..];
        }

        var number = card.CardNumber?.ToString(CultureInfo.InvariantCulture) ?? "";
        if (!full)
        {
            return "No. •••" + number[^Math.Min(2, number.Length)..];
        }

        return card.FacilityCode is { } fc
            ? string.Create(CultureInfo.InvariantCulture, $"{FacilityLabel(card.Format)} {fc} · No. {number}")
            : $"No. {number}";
    }

    /// <summary>"Company" for Corporate 1000, whose facility code is the company ID; otherwise "FC".</summary>
    private static string FacilityLabel(string? format) =>
        format is "C1000-35" or "C1000-48" ? "Company" : "FC";

    /// <summary>What a format is called in a select: "H10301 · 26-bit".</summary>
    public static string FormatLabel(CardFormatInfo info) => info.Format switch
    {
        CardFormat.H10301 => "H10301 · 26-bit standard",
        CardFormat.H10302 => "H10302 · 37-bit, no facility code",
        CardFormat.H10304 => "H10304 · 37-bit with facility code",
        CardFormat.Corporate1000_35 => "C1000-35 · Corporate 1000, 35-bit",
        CardFormat.Corporate1000_48 => "C1000-48 · Corporate 1000, 48-bit",
        CardFormat.Csn => "CSN · card serial number (NFC, MIFARE)",
        _ => info.Name,
    };

    public static string Range(long max) => $"Between 0 and {max.ToString("N0", CultureInfo.InvariantCulture)}.";
}
