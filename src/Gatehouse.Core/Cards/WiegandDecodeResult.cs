using System.Collections;
using System.Globalization;

namespace Gatehouse.Core.Cards;

/// <summary>
/// What Wiegand bits decoded to: either the candidate cards (every format of that length whose parity
/// checks; two for a 37-bit frame that reads as both H10302 and H10304), or an error and its message.
/// A value type read without allocating: index it or <c>foreach</c> over it.
/// </summary>
/// <remarks>
/// Candidates come in the order of <see cref="CardFormat"/>; the order carries no preference. A caller
/// that looks cards up tries each candidate: only one of them is normally enrolled.
/// </remarks>
public readonly struct WiegandDecodeResult : IReadOnlyList<CardIdentity>, IEquatable<WiegandDecodeResult>
{
    private readonly CardIdentity _first;
    private readonly CardIdentity _second;
    private readonly int _badPosition;
    private readonly char _badCharacter;

    private WiegandDecodeResult(
        WiegandDecodeError error, int bitCount, CardFormat? format, CardIdentity first, CardIdentity second, int count,
        int badPosition = -1, char badCharacter = '\0')
    {
        Error = error;
        BitCount = bitCount;
        RequestedFormat = format;
        _first = first;
        _second = second;
        Count = count;
        _badPosition = badPosition;
        _badCharacter = badCharacter;
    }

    /// <summary><see cref="WiegandDecodeError.None"/> when decoded; otherwise why not.</summary>
    public WiegandDecodeError Error { get; }

    /// <summary>Whether the bits decoded to at least one card.</summary>
    public bool IsSuccess => Error == WiegandDecodeError.None;

    /// <summary>How many bits were given.</summary>
    public int BitCount { get; }

    /// <summary>The format the caller named, if any.</summary>
    public CardFormat? RequestedFormat { get; }

    /// <summary>How many candidate cards there are: 0 on error, 1, or 2 for an ambiguous 37-bit frame.</summary>
    public int Count { get; }

    /// <summary>The candidate at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    public CardIdentity this[int index] =>
        (uint)index < (uint)Count
            ? (index == 0 ? _first : _second)
            : throw new ArgumentOutOfRangeException(nameof(index), index, "No candidate at this index.");

    /// <summary>A sentence saying what is wrong with the bits; <see langword="null"/> on success.</summary>
    public string? ErrorMessage => Error switch
    {
        WiegandDecodeError.None => null,
        WiegandDecodeError.NotBinary when BitCount == 0 => "Wiegand bits are empty; send a string of '0' and '1'.",
        WiegandDecodeError.NotBinary => string.Create(
            CultureInfo.InvariantCulture,
            $"Wiegand bits must be '0' or '1'; found '{_badCharacter}' at position {_badPosition + 1}."),
        WiegandDecodeError.WrongLength => string.Create(
            CultureInfo.InvariantCulture,
            $"{RequestedFormat!.Value.ToApiName()} has {RequestedFormat.Value.GetInfo().Bits} bits; got {BitCount}."),
        WiegandDecodeError.UnsupportedLength => string.Create(
            CultureInfo.InvariantCulture,
            $"No supported Wiegand format has {BitCount} bits; H10301 has 26, C1000-35 35, H10302 and H10304 37, C1000-48 48."),
        WiegandDecodeError.ParityError => RequestedFormat is { } format
            ? $"Parity check failed for {format.ToApiName()}: the bits were misread or are not of this format."
            : string.Create(
                CultureInfo.InvariantCulture,
                $"Parity check failed for every {BitCount}-bit format ({string.Join(" and ", Wiegand.FormatsOfLength(BitCount).ToArray().Select(f => f.ToApiName()))}): the bits were misread."),
        WiegandDecodeError.NotWiegandFormat => "This format is not a Wiegand format; a CSN card is sent as csn.",
        _ => Error.ToString(),
    };

    /// <summary>Returns an enumerator over the candidates, without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<CardIdentity> IEnumerable<CardIdentity>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(WiegandDecodeResult other) =>
        Error == other.Error && BitCount == other.BitCount && RequestedFormat == other.RequestedFormat
        && Count == other.Count && _first == other._first && _second == other._second
        && _badPosition == other._badPosition && _badCharacter == other._badCharacter;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WiegandDecodeResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Error, BitCount, RequestedFormat, Count, _first, _second);

    /// <summary>Whether two results are the same.</summary>
    public static bool operator ==(WiegandDecodeResult left, WiegandDecodeResult right) => left.Equals(right);

    /// <summary>Whether two results differ.</summary>
    public static bool operator !=(WiegandDecodeResult left, WiegandDecodeResult right) => !left.Equals(right);

    /// <summary>The candidates' canonical texts, or the error message.</summary>
    public override string ToString() =>
        IsSuccess ? string.Join(" | ", this.Select(c => c.ToString())) : ErrorMessage ?? string.Empty;

    internal static WiegandDecodeResult Success(int bitCount, CardFormat? format, CardIdentity first) =>
        new(WiegandDecodeError.None, bitCount, format, first, default, 1);

    internal static WiegandDecodeResult Success(int bitCount, CardFormat? format, CardIdentity first, CardIdentity second) =>
        new(WiegandDecodeError.None, bitCount, format, first, second, 2);

    internal static WiegandDecodeResult Failure(WiegandDecodeError error, int bitCount, CardFormat? format) =>
        new(error, bitCount, format, default, default, 0);

    internal static WiegandDecodeResult NotBinary(int bitCount, CardFormat? format, int position, char character) =>
        new(WiegandDecodeError.NotBinary, bitCount, format, default, default, 0, position, character);

    /// <summary>Walks the candidates of a <see cref="WiegandDecodeResult"/>.</summary>
    public struct Enumerator : IEnumerator<CardIdentity>
    {
        private readonly WiegandDecodeResult _result;
        private int _index;

        internal Enumerator(WiegandDecodeResult result)
        {
            _result = result;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly CardIdentity Current => _result[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _result.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
