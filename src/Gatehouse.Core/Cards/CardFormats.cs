namespace Gatehouse.Core.Cards;

/// <summary>
/// The card formats' names as the API spells them and their sizes and ranges
/// (see <c>docs/card-formats.md</c>).
/// </summary>
public static class CardFormats
{
    /// <summary>The number of hex digits a CSN may have: 8, 14 or 20 (a UID of 4, 7 or 10 bytes).</summary>
    public static IReadOnlyList<int> CsnHexLengths { get; } = [8, 14, 20];

    private static readonly CardFormatInfo[] Infos =
    [
        new(CardFormat.H10301, "H10301", 26, HasFacilityCode: true, MaxFacilityCode: (1L << 8) - 1, MaxCardNumber: (1L << 16) - 1),
        new(CardFormat.H10302, "H10302", 37, HasFacilityCode: false, MaxFacilityCode: 0, MaxCardNumber: (1L << 35) - 1),
        new(CardFormat.H10304, "H10304", 37, HasFacilityCode: true, MaxFacilityCode: (1L << 16) - 1, MaxCardNumber: (1L << 19) - 1),
        new(CardFormat.Corporate1000_35, "C1000-35", 35, HasFacilityCode: true, MaxFacilityCode: (1L << 12) - 1, MaxCardNumber: (1L << 20) - 1),
        new(CardFormat.Corporate1000_48, "C1000-48", 48, HasFacilityCode: true, MaxFacilityCode: (1L << 22) - 1, MaxCardNumber: (1L << 23) - 1),
        new(CardFormat.Csn, "CSN", 0, HasFacilityCode: false, MaxFacilityCode: 0, MaxCardNumber: 0),
    ];

    /// <summary>Every format, in the order of <see cref="CardFormat"/>.</summary>
    public static IReadOnlyList<CardFormatInfo> All { get; } = Array.AsReadOnly(Infos);

    /// <summary>The names the API accepts, in the order of <see cref="All"/>: "H10301, H10302, …, CSN".</summary>
    public static string NameList { get; } = string.Join(", ", Infos.Select(i => i.Name));

    /// <summary>Whether <paramref name="format"/> is one of the defined formats.</summary>
    public static bool IsDefined(this CardFormat format) => format is >= CardFormat.H10301 and <= CardFormat.Csn;

    /// <summary>The size and ranges of <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="CardFormat"/>.</exception>
    public static CardFormatInfo GetInfo(this CardFormat format) =>
        format.IsDefined()
            ? Infos[(int)format - 1]
            : throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined card format.");

    /// <summary>The format's name as the API spells it (<c>H10301</c>, <c>C1000-48</c>, <c>CSN</c>…).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="CardFormat"/>.</exception>
    public static string ToApiName(this CardFormat format) => format.GetInfo().Name;

    /// <summary>
    /// Reads a format name as the API spells it, ignoring case ("h10301" and "c1000-35" are accepted).
    /// Anything else, including surrounding white space, is not a format.
    /// </summary>
    public static bool TryParse(string? name, out CardFormat format) => TryParse(name.AsSpan(), out format);

    /// <inheritdoc cref="TryParse(string?, out CardFormat)"/>
    public static bool TryParse(ReadOnlySpan<char> name, out CardFormat format)
    {
        foreach (var info in Infos)
        {
            if (name.Equals(info.Name, StringComparison.OrdinalIgnoreCase))
            {
                format = info.Format;
                return true;
            }
        }

        format = default;
        return false;
    }
}
