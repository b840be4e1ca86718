using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Features.Audit;

/// <summary>
/// The canonical form of an entry and its chained hash:
/// <c>SHA-256(previousHash ‖ sequence ‖ organization ‖ at ‖ actorId ‖ actor ‖ action ‖ entityType ‖ entityId ‖ changes)</c>,
/// the sequence as 8 big-endian bytes and every text as a 4-byte big-endian length followed by its UTF-8
/// bytes, so no two different entries can serialise alike. The first entry's previous hash is 32 zero bytes.
/// </summary>
internal static class AuditChain
{
    public static ReadOnlySpan<byte> Genesis => new byte[32];

    public static byte[] Compute(ReadOnlySpan<byte> previousHash, AuditEntry entry)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previousHash);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, entry.Sequence);
        sha.AppendData(number);
        Append(sha, entry.OrganizationId.ToString("D"));
        Append(sha, entry.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Append(sha, entry.ActorId?.ToString("D") ?? "");
        Append(sha, entry.Actor);
        Append(sha, entry.Action);
        Append(sha, entry.EntityType);
        Append(sha, entry.EntityId);
        Append(sha, entry.Changes);
        return sha.GetHashAndReset();
    }

    /// <summary>PostgreSQL keeps microseconds and SQLite ticks: whole milliseconds read back the same from both.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static void Append(IncrementalHash sha, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        sha.AppendData(length);
        sha.AppendData(bytes);
    }
}
