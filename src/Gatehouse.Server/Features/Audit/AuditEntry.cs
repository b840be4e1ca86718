using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Audit;

/// <summary>
/// One change in an organization's audit log. Entries form a hash chain per organization: each
/// <see cref="Hash"/> covers the previous entry's hash and this entry's content (see <see cref="AuditChain"/>),
/// so editing, removing or reordering an entry breaks the chain from that entry on.
/// </summary>
internal sealed class AuditEntry : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>1, 2, 3… within the organization, without gaps.</summary>
    public long Sequence { get; set; }

    /// <summary>Whole milliseconds, so it reads back identically from either store.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>The signed-in administrator; null for the system or an anonymous caller.</summary>
    public Guid? ActorId { get; set; }

    /// <summary>The administrator's email, <c>system</c> or <c>anonymous</c>.</summary>
    public required string Actor { get; set; }

    /// <summary><c>created</c>, <c>updated</c>, <c>deleted</c>, or a named event such as <c>lockedOut</c>.</summary>
    public required string Action { get; set; }

    public required string EntityType { get; set; }

    public required string EntityId { get; set; }

    /// <summary>
    /// A JSON array of <c>{field, before?, after?}</c> (or <c>{field, redacted: true}</c>). Kept as the exact
    /// text that was hashed.
    /// </summary>
    public required string Changes { get; set; }

    public required byte[] Hash { get; set; }
}

/// <summary>An audit entry that is not a row change (a lockout…), added to <see cref="Data.GatehouseDbContext.PendingAuditNotes"/>.</summary>
internal sealed record AuditNote(Guid OrganizationId, string EntityType, string EntityId, string Action, IReadOnlyDictionary<string, object?> Details);

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        // The unique sequence is what makes a forked chain impossible, whatever happens above it.
        builder.HasIndex(e => new { e.OrganizationId, e.Sequence }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.EntityType, e.EntityId });
        builder.HasIndex(e => new { e.OrganizationId, e.ActorId });
        builder.Property(e => e.Actor).HasMaxLength(254);
        builder.Property(e => e.Action).HasMaxLength(40);
        builder.Property(e => e.EntityType).HasMaxLength(100);
        builder.Property(e => e.EntityId).HasMaxLength(200);
        builder.Property(e => e.Hash).HasMaxLength(32);
    }
}

/// <summary>An audit entry as the API shows it.</summary>
internal sealed record AuditEntryDto(
    Guid Id,
    long Sequence,
    DateTimeOffset At,
    string Actor,
    Guid? ActorId,
    string Action,
    string EntityType,
    string EntityId,
    JsonElement Changes,
    string Hash);

/// <summary>The result of recomputing the chain: <c>firstBrokenAt</c> is the sequence number where it first fails.</summary>
internal sealed record AuditVerification(
    bool Valid,
    long Entries,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? FirstBrokenAt);

internal static class AuditMapping
{
    public static AuditEntryDto ToDto(this AuditEntry e)
    {
        using var changes = JsonDocument.Parse(e.Changes);
        return new AuditEntryDto(e.Id, e.Sequence, e.At, e.Actor, e.ActorId, e.Action, e.EntityType, e.EntityId,
            changes.RootElement.Clone(), Convert.ToHexStringLower(e.Hash));
    }
}
