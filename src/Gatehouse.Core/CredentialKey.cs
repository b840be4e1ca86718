namespace Gatehouse.Core;

/// <summary>
/// The identity of a presented credential as the decision engine looks it up: 128 bits that are equal
/// exactly when two presentations name the same credential (same card format and numbers, same CSN…).
/// Built by the credential kinds (for cards, <c>CardIdentity.ToKey()</c>); opaque to the engine.
/// </summary>
public readonly record struct CredentialKey(ulong High, ulong Low)
{
    /// <inheritdoc />
    public override int GetHashCode()
    {
        // A cheap, well-mixed hash: keys are dense numbers, so mix before folding.
        var h = (High * 0x9E3779B97F4A7C15UL) ^ Low;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (int)h;
    }
}
