using Gatehouse.Core.Schedules;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>
/// The body of <c>POST /users/{id}/credentials/cloud-keys</c>: how to send the key (email, text or
/// both, to the user's profile), until when it is valid (required) and from when, and whether it opens
/// a door once only.
/// </summary>
internal sealed record CreateCloudKeyRequest(
    bool SendEmail = false,
    bool SendText = false,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    bool OneTimeUse = false);

/// <summary>
/// The admin's side of Cloud Keys: create and send, resend, revoke, and unlock after wrong PINs. Shared by
/// the API and the admin console. Changing validity, suspending and deleting are the credentials' own.
/// </summary>
internal sealed partial class CloudKeyService(
    GatehouseDbContext db, Outbox outbox, PublicLinks links, TimeProvider clock, ILogger<CloudKeyService> logger)
{
    public async Task<Result<CredentialDto>> CreateAsync(Guid userId, CreateCloudKeyRequest request, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return new ApiError.NotFound("The user");
        }

        var now = clock.GetUtcNow();
        var v = new Validation();
        MessageChannels.Check(v, user, request.SendEmail, request.SendText, "the key");
        if (request.ValidUntil is not { } until)
        {
            v.Add("validUntil", "This field is required: a Cloud Key is always for a limited time.");
        }
        else if (until <= now)
        {
            v.Add("validUntil", "Must be in the future.");
        }

        v.Period("validUntil", request.ValidFrom, request.ValidUntil);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (!links.TryGetBase(out var linkBase))
        {
            return PublicLinks.NotConfigured;
        }

        var key = new CloudKeyCredential
        {
            UserId = userId,
            Status = CredentialStatus.Active,
            ValidFrom = request.ValidFrom,
            ValidUntil = request.ValidUntil,
            OneTimeUse = request.OneTimeUse,
            SendEmail = request.SendEmail,
            SendText = request.SendText,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Credentials.Add(key);
        await IssueAsync(key, user, linkBase, now, ct);
        await db.SaveChangesAsync(ct);
        LogCreated(logger, key.Id, userId, key.SendEmail, key.SendText);
        return key.ToDto(now);
    }

    /// <summary>
    /// Sends the key again with a new link and a new PIN: the old ones stop working at once. Also clears a
    /// lock, since the PIN that was being guessed is gone.
    /// </summary>
    public async Task<Result<CredentialDto>> ResendAsync(Guid id, CancellationToken ct)
    {
        var key = await db.Credentials.OfType<CloudKeyCredential>().SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return new ApiError.NotFound("The Cloud Key");
        }

        var now = clock.GetUtcNow();
        if (key.StateAt(now) is CloudKeyState.Revoked or CloudKeyState.Used or CloudKeyState.Expired)
        {
            return new ApiError.Conflict(
                $"This Cloud Key is {StateWord(key.StateAt(now))}, so it cannot be sent again. Add a new key instead.");
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == key.UserId, ct);
        var v = new Validation();
        MessageChannels.Check(v, user, key.SendEmail, key.SendText, "the key");
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (!links.TryGetBase(out var linkBase))
        {
            return PublicLinks.NotConfigured;
        }

        key.FailedPinAttempts = 0;
        key.LockedAt = null;
        key.UpdatedAt = now;
        await IssueAsync(key, user, linkBase, now, ct);
        await db.SaveChangesAsync(ct);
        LogResent(logger, key.Id);
        return key.ToDto(now);
    }

    /// <summary>Revokes the key: from now on it opens nothing, whatever else is true of it. Revoking twice changes nothing.</summary>
    public async Task<Result<CredentialDto>> RevokeAsync(Guid id, CancellationToken ct)
    {
        var key = await db.Credentials.OfType<CloudKeyCredential>().SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return new ApiError.NotFound("The Cloud Key");
        }

        var now = clock.GetUtcNow();
        if (key.RevokedAt is null)
        {
            key.RevokedAt = now;
            key.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            LogRevoked(logger, key.Id);
        }

        return key.ToDto(now);
    }

    /// <summary>Unlocks a key that wrong PINs locked; the same link and PIN work again.</summary>
    public async Task<Result<CredentialDto>> ClearLockAsync(Guid id, CancellationToken ct)
    {
        var key = await db.Credentials.OfType<CloudKeyCredential>().SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return new ApiError.NotFound("The Cloud Key");
        }

        var now = clock.GetUtcNow();
        if (key.LockedAt is not null || key.FailedPinAttempts != 0)
        {
            key.LockedAt = null;
            key.FailedPinAttempts = 0;
            key.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            LogLockCleared(logger, key.Id);
        }

        return key.ToDto(now);
    }

    public static string StateWord(CloudKeyState state) => state switch
    {
        CloudKeyState.Active => "active",
        CloudKeyState.NotYetValid => "not valid yet",
        CloudKeyState.Expired => "expired",
        CloudKeyState.Suspended => "suspended",
        CloudKeyState.Used => "used",
        CloudKeyState.Locked => "locked",
        CloudKeyState.Revoked => "revoked",
        _ => state.ToString(),
    };

    /// <summary>New secrets for the key and its messages, queued to be stored by the same save as the key.</summary>
    private async Task IssueAsync(CloudKeyCredential key, User user, string linkBase, DateTimeOffset now, CancellationToken ct)
    {
        var token = CloudKeySecrets.NewToken();
        var pin = CloudKeySecrets.NewPin();
        key.TokenHash = CloudKeySecrets.HashToken(token);
        key.PinHash = CloudKeySecrets.HashPin(token, pin);
        key.SentAt = now;

        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == user.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var letter = new CloudKeyLetter(
            organization, user.FirstName, $"{linkBase}/k/{token}", pin, key.ValidFrom, key.ValidUntil!.Value,
            await CloudKeyMessages.ZoneOfAsync(db, user.Id, ct), key.OneTimeUse);
        var about = new MessageAbout(CloudKeyMessages.Kind, user.Id, key.Id);
        outbox.QueueToUser(
            user, key.SendEmail, key.SendText, CloudKeyMessages.Subject(letter), () => CloudKeyMessages.Email(letter), () => CloudKeyMessages.Text(letter), about);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloud Key {CredentialId} created for user {UserId} (email {ByEmail}, text {ByText})")]
    private static partial void LogCreated(ILogger logger, Guid credentialId, Guid userId, bool byEmail, bool byText);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloud Key {CredentialId} sent again with a new link and PIN")]
    private static partial void LogResent(ILogger logger, Guid credentialId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloud Key {CredentialId} revoked")]
    private static partial void LogRevoked(ILogger logger, Guid credentialId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloud Key {CredentialId} unlocked by an administrator after wrong PINs")]
    private static partial void LogLockCleared(ILogger logger, Guid credentialId);
}
