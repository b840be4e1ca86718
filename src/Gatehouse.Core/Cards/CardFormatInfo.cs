namespace Gatehouse.Core.Cards;

/// <summary>
/// What a card format holds and which values it accepts, for checking input and for showing ranges
/// (the admin UI's hints, the API's validation messages).
/// </summary>
/// <param name="Format">The format.</param>
/// <param name="Name">The format's name as the API spells it: <c>H10301</c>, <c>C1000-35</c>, <c>CSN</c>…</param>
/// <param name="Bits">The Wiegand frame length in bits, parity bits included; 0 for <see cref="CardFormat.Csn"/>.</param>
/// <param name="HasFacilityCode">Whether the format carries a facility code (for Corporate 1000: the company ID).</param>
/// <param name="MaxFacilityCode">The largest facility code (the smallest is 0); 0 when there is none.</param>
/// <param name="MaxCardNumber">The largest card number (the smallest is 0); 0 when there is none (CSN).</param>
public sealed record CardFormatInfo(
    CardFormat Format, string Name, int Bits, bool HasFacilityCode, long MaxFacilityCode, long MaxCardNumber)
{
    /// <summary>Whether the card is read as a Wiegand frame (every format but CSN).</summary>
    public bool IsWiegand => Bits > 0;

    /// <summary>Whether the format carries a card number (every Wiegand format); a CSN card has a serial instead.</summary>
    public bool HasCardNumber => IsWiegand;

    /// <summary>Whether the format is identified by the card's serial number (<see cref="CardFormat.Csn"/>).</summary>
    public bool HasCsn => !IsWiegand;
}
