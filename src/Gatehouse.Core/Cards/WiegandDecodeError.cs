namespace Gatehouse.Core.Cards;

/// <summary>Why Wiegand bits did not decode to a card.</summary>
public enum WiegandDecodeError
{
    /// <summary>Decoded: there is at least one candidate card.</summary>
    None = 0,

    /// <summary>The bits contain a character other than '0' and '1' (or are empty).</summary>
    NotBinary = 1,

    /// <summary>The format was given and the bits are not as long as its frame.</summary>
    WrongLength = 2,

    /// <summary>No format was given and no supported format has that many bits (26, 35, 37 and 48 do).</summary>
    UnsupportedLength = 3,

    /// <summary>The length fits, but a parity bit does not check (for every format of that length).</summary>
    ParityError = 4,

    /// <summary>The format given is not a Wiegand format (CSN, or an undefined value).</summary>
    NotWiegandFormat = 5,
}
