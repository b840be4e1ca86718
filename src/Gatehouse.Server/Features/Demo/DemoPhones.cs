using System.Security.Cryptography;
using Gatehouse.Core.Mobile;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Demo;

/// <summary>
/// The demo's mobile credentials: one pending for the first user (whose groups open the Main Entrance around the
/// clock), whose welcome email (with its activation link) waits in the Dev mailbox for a newcomer to open in a
/// browser, and one already active on a phone. That phone's key pair is made
/// here and its private half thrown away, as a phone would keep it: the credential is there to be looked at,
/// suspended or deleted, not used.
/// </summary>
internal sealed class DemoPhones(GatehouseDbContext db, MobileService mobile, PublicLinks links)
{
    public async Task SeedAsync(DemoWorldCreated created, DateTimeOffset now, CancellationToken ct)
    {
        if (links.TryGetBase(out _))
        {
            var pending = await mobile.CreateAsync(created.Holders[0].UserId, new CreateMobileRequest(SendEmail: true), ct);
            if (pending.Error is { } error)
            {
                throw new InvalidOperationException($"The demo's mobile credential was refused: {error}.");
            }
        }

        var holder = created.Holders[4];
        using var phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var activatedAt = now.AddDays(-12);
        db.Credentials.Add(new MobileCredential
        {
            UserId = holder.UserId,
            Status = CredentialStatus.Active,
            ActivationCodeHash = CloudKeySecrets.HashToken(CloudKeySecrets.NewToken()),
            ActivationExpiresAt = activatedAt.AddDays(6),
            ActivationUsedAt = activatedAt,
            PublicKey = MobileKeys.ToText(MobileKeys.Export(phone)),
            DeviceName = $"{holder.Name.Split(' ')[0]}'s Pixel 8",
            ActivatedAt = activatedAt,
            SendEmail = true,
            SentAt = activatedAt.AddHours(-1),
            CreatedAt = activatedAt.AddHours(-1),
            UpdatedAt = activatedAt,
        });
        await db.SaveChangesAsync(ct);
    }
}
