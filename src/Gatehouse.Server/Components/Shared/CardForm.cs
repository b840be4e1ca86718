using System.Globalization;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Components.Shared;

/// <summary>
/// What the two forms that take a card by its numbers share: the Card panel of a user's page and the
/// access explorer's card tab. The rules themselves stay in the API's services; these only read the form.
/// </summary>
internal static class CardForm
{
    /// <summary>The format the form shows: the one posted, else the common 26-bit.</summary>
    public static CardFormatInfo FormatOf(string? name) =>
        CardFormats.TryParse(name, out var format) ? format.GetInfo() : CardFormat.H10301.GetInfo();

    /// <summary>A whole number, or none when blank; anything else is named so the field shows why.</summary>
    public static long? ReadNumber(Validation v, string field, string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        v.Add(field, "Must be a whole number, digits only.");
        return null;
    }

    /// <summary>
    /// The CSN as typed, trimmed; none when blank. Its separators ("04:A2:24…") are read by the same parser
    /// as the API's (<see cref="CsnText"/>), so the form accepts exactly what the API accepts.
    /// </summary>
    public static string? CleanCsn(string csn)
    {
        var trimmed = csn.Trim();
        return trimmed.Length == 0 ? null : trimmed;
    }

    /// <summary>The class of a field that only some formats have; the others hide it (card-fields.js toggles it as the format changes).</summary>
    public static string Part(string name, bool shown) => shown ? $"card-part card-part-{name}" : $"card-part card-part-{name} is-hidden";

    /// <summary>The label of the facility-code field: Corporate 1000 calls it the company ID.</summary>
    public static string FacilityLabel(CardFormatInfo info) =>
        info.Format is CardFormat.Corporate1000_35 or CardFormat.Corporate1000_48 ? "Company ID" : "Facility code";
}
