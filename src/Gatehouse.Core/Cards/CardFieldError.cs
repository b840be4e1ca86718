namespace Gatehouse.Core.Cards;

/// <summary>
/// Why a card's fields do not make a card: <see cref="Field"/> names the contract's field
/// (one of <see cref="CardFields"/>), <see cref="Message"/> says what is wrong and what is allowed.
/// </summary>
/// <param name="Field">The field at fault, as the API spells it: <c>format</c>, <c>facilityCode</c>, <c>cardNumber</c> or <c>csn</c>.</param>
/// <param name="Message">A sentence for the person who sent the field, stating the allowed values.</param>
public sealed record CardFieldError(string Field, string Message);

/// <summary>The names of a card's fields as the API spells them; <see cref="CardFieldError.Field"/> is one of these.</summary>
public static class CardFields
{
    /// <summary>The card format's name.</summary>
    public const string Format = "format";

    /// <summary>The facility code (for Corporate 1000: the company ID).</summary>
    public const string FacilityCode = "facilityCode";

    /// <summary>The card number.</summary>
    public const string CardNumber = "cardNumber";

    /// <summary>The card's serial number (NFC / MIFARE UID) in hex.</summary>
    public const string Csn = "csn";
}
