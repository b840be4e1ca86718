namespace Gatehouse.Core.Cards;

/// <summary>The card formats Gatehouse can enroll and decide on.</summary>
public enum CardFormat
{
    /// <summary>HID H10301, the common 26-bit format: facility code 0–255, card number 0–65,535.</summary>
    H10301 = 1,

    /// <summary>HID H10302, 37 bits without a facility code: card number 0–34,359,738,367.</summary>
    H10302 = 2,

    /// <summary>HID H10304, 37 bits: facility code 0–65,535, card number 0–524,287.</summary>
    H10304 = 3,

    /// <summary>HID Corporate 1000, 35 bits: company ID 0–4,095, card number 0–1,048,575.</summary>
    Corporate1000_35 = 4,

    /// <summary>HID Corporate 1000, 48 bits: company ID 0–4,194,303, card number 0–8,388,607.</summary>
    Corporate1000_48 = 5,

    /// <summary>The card's serial number (NFC / MIFARE UID) of 4, 7 or 10 bytes.</summary>
    Csn = 6,
}
