using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Mobile;

/// <summary>The body of <c>POST /users/{id}/credentials/mobile</c>: how to send the welcome message.</summary>
internal sealed record CreateMobileRequest(bool SendEmail = false, bool SendText = false);

/// <summary>
/// The admin's side of mobile credentials: add one and send its welcome message, and send it again. Suspending,
/// validity and deleting are the credentials' own.
/// </summary>
internal sealed partial class MobileService(
    GatehouseDbContext db, Outbox outbox, PublicLinks links, IOptions<MobileOptions> options, TimeProvider clock, ILogger<MobileService> logger)
{
    /// <summary>Phones one user may have; each is a credential of its own.</summary>
    public const int MaxPerUser = 5;

    public async Task<Result<CredentialDto>> CreateAsync(Guid userId, CreateMobileRequest request, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return new ApiError.NotFound("The user");
        }

        var v = new Validation();
        MessageChannels.Check(v, user, request.SendEmail, request.SendText, "the welcome message");
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (await db.Credentials.OfType<MobileCredential>().CountAsync(c => c.UserId == userId, ct) >= MaxPerUser)
        {
            return new ApiError.Conflict($"{user.FirstName} has {MaxPerUser} mobile credentials already. Delete one to add another.");
        }

        if (!links.TryGetBase(out var linkBase))
        {
            return PublicLinks.NotConfigured;
        }

        var now = clock.GetUtcNow();
        var credential = new MobileCredential
        {
            UserId = userId,
            Status = CredentialStatus.Active,
            SendEmail = request.SendEmail,
            SendText = request.SendText,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Credentials.Add(credential);
        await IssueAsync(credential, user, linkBase, now, ct);
        await db.SaveChangesAsync(ct);
        LogCreated(logger, credential.Id, userId, credential.SendEmail, credential.SendText);
        return credential.ToDto(now);
    }

    /// <summary>
    /// Sends a new activation link: the old link stops working, and a phone already bound to the credential is
    /// unbound at once (the credential is pending again until a phone opens the new link). For a lost or replaced phone.
    /// </summary>
    public async Task<Result<CredentialDto>> ResendAsync(Guid id, CancellationToken ct)
    {
        var credential = await db.Credentials.OfType<MobileCredential>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null)
        {
            return new ApiError.NotFound("The mobile credential");
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == credential.UserId, ct);
        var v = new Validation();
        MessageChannels.Check(v, user, credential.SendEmail, credential.SendText, "the welcome message");
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (!links.TryGetBase(out var linkBase))
        {
            return PublicLinks.NotConfigured;
        }

        var now = clock.GetUtcNow();
        var hadPhone = credential.PublicKey is not null;
        credential.PublicKey = null;
        credential.DeviceName = null;
        credential.ActivatedAt = null;
        credential.ActivationUsedAt = null;
        credential.UpdatedAt = now;
        await IssueAsync(credential, user, linkBase, now, ct);
        await db.SaveChangesAsync(ct);
        LogResent(logger, credential.Id, hadPhone);
        return credential.ToDto(now);
    }

    /// <summary>A new activation code and its welcome message, queued to be stored by the same save as the credential.</summary>
    private async Task IssueAsync(MobileCredential credential, User user, string linkBase, DateTimeOffset now, CancellationToken ct)
    {
        var code = CloudKeySecrets.NewToken();
        credential.ActivationCodeHash = CloudKeySecrets.HashToken(code);
        credential.ActivationExpiresAt = now + options.Value.ActivationLifetime;
        credential.SentAt = now;

        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == user.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var letter = new MobileLetter(
            organization, user.FirstName, MobileMessages.Link(linkBase, code), credential.ActivationExpiresAt,
            await CloudKeyMessages.ZoneOfAsync(db, user.Id, ct));
        var about = new MessageAbout(MobileMessages.Kind, user.Id, credential.Id);
        outbox.QueueToUser(
            user, credential.SendEmail, credential.SendText, MobileMessages.Subject(letter), () => MobileMessages.Email(letter), () => MobileMessages.Text(letter), about);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} created for user {UserId} (email {ByEmail}, text {ByText})")]
    private static partial void LogCreated(ILogger logger, Guid credentialId, Guid userId, bool byEmail, bool byText);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} sent again with a new activation link (a phone was unbound: {HadPhone})")]
    private static partial void LogResent(ILogger logger, Guid credentialId, bool hadPhone);
}
