using System.Text.Json.Serialization;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Credentials;

[JsonConverter(typeof(JsonStringEnumConverter<CredentialType>))]
internal enum CredentialType
{
    [JsonStringEnumMemberName("card")] Card = 1,
    [JsonStringEnumMemberName("face")] Face = 2,
    [JsonStringEnumMemberName("cloudKey")] CloudKey = 3,
    [JsonStringEnumMemberName("mobile")] Mobile = 4,
}

[JsonConverter(typeof(JsonStringEnumConverter<CredentialStatus>))]
internal enum CredentialStatus
{
    [JsonStringEnumMemberName("active")] Active = 0,
    [JsonStringEnumMemberName("suspended")] Suspended = 1,
}

/// <summary>
/// Something a user presents to open a door. Every kind shares this life cycle (status and validity);
/// each kind is a subtype in the same table (cards now; faces, Cloud Keys and mobile later).
/// </summary>
internal abstract class Credential : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The kind; also the table's discriminator, so it is fixed by the subtype.</summary>
    public CredentialType Type { get; protected init; }

    public CredentialStatus Status { get; set; }

    public DateTimeOffset? ValidFrom { get; set; }

    public DateTimeOffset? ValidUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A card: a Wiegand format with facility code and number, or a CSN (the card's serial number).</summary>
internal sealed class CardCredential : Credential
{
    public CardCredential() => Type = CredentialType.Card;

    public CardFormat Format { get; set; }

    public long? FacilityCode { get; set; }

    public long? CardNumber { get; set; }

    /// <summary>Upper-case hex.</summary>
    public string? Csn { get; set; }

    /// <summary>
    /// The card's canonical text (<c>H10301:1:11572</c>, <c>CSN:04A224B2C15E80</c>): equal exactly when two
    /// credentials are the same card, so a unique index on it keeps a card to one credential per organization.
    /// </summary>
    public string Identity { get; set; } = "";

    public static CardCredential For(Guid userId, in CardIdentity card) => new()
    {
        UserId = userId,
        Format = card.Format,
        FacilityCode = card.FacilityCode,
        CardNumber = card.CardNumber,
        Csn = card.Csn,
        Identity = card.ToString(),
    };
}

internal sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    public void Configure(EntityTypeBuilder<Credential> builder)
    {
        builder.ToTable("Credentials");
        builder.HasDiscriminator(c => c.Type)
            .HasValue<CardCredential>(CredentialType.Card)
            .HasValue<CloudKeyCredential>(CredentialType.CloudKey)
            .HasValue<FaceCredential>(CredentialType.Face)
            .HasValue<MobileCredential>(CredentialType.Mobile);
        builder.Property(c => c.Type).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(c => new { c.OrganizationId, c.UserId });
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CardCredentialConfiguration : IEntityTypeConfiguration<CardCredential>
{
    public void Configure(EntityTypeBuilder<CardCredential> builder)
    {
        builder.Property(c => c.Format).HasConversion(f => f.ToApiName(), s => ParseFormat(s)).HasMaxLength(20);
        builder.Property(c => c.Csn).HasMaxLength(20);
        builder.Property(c => c.Identity).HasMaxLength(40);

        // Other kinds leave the column NULL, which both providers let repeat in a unique index.
        builder.HasIndex(c => new { c.OrganizationId, c.Identity }).IsUnique();
    }

    private static CardFormat ParseFormat(string name) =>
        CardFormats.TryParse(name, out var format) ? format : throw new InvalidOperationException($"Unknown stored card format \"{name}\".");
}

/// <summary>
/// A credential as the API shows it: the common fields, for cards <c>format, facilityCode,
/// cardNumber, csn</c>, for Cloud Keys <c>cloudKey</c>, for faces <c>face</c> and for phones <c>mobile</c> (null for
/// other kinds).
/// </summary>
internal sealed record CredentialDto(
    Guid Id,
    Guid UserId,
    CredentialType Type,
    CredentialStatus Status,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Format,
    long? FacilityCode,
    long? CardNumber,
    string? Csn,
    CloudKeyDto? CloudKey = null,
    FaceDto? Face = null,
    MobileDto? Mobile = null);

internal static class CredentialMapping
{
    /// <summary>The credential as the API shows it at <paramref name="now"/> (a Cloud Key's state depends on it).</summary>
    public static CredentialDto ToDto(this Credential c, DateTimeOffset now)
    {
        var card = c as CardCredential;
        return new CredentialDto(
            c.Id, c.UserId, c.Type, c.Status, c.ValidFrom, c.ValidUntil, c.CreatedAt, c.UpdatedAt,
            card?.Format.ToApiName(), card?.FacilityCode, card?.CardNumber, card?.Csn,
            (c as CloudKeyCredential)?.ToCloudKeyDto(now),
            (c as FaceCredential)?.ToFaceDto(),
            (c as MobileCredential)?.ToMobileDto());
    }
}
