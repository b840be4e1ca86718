using Gatehouse.Core.Cards;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Credentials;

internal sealed record CreateCardCredentialRequest(
    string? Format,
    long? FacilityCode = null,
    long? CardNumber = null,
    string? Csn = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null);

/// <summary>A partial change of any kind of credential; <c>null</c> clears a validity bound.</summary>
internal sealed record UpdateCredentialRequest
{
    public Optional<CredentialStatus?> Status { get; init; }

    public Optional<DateTimeOffset?> ValidFrom { get; init; }

    public Optional<DateTimeOffset?> ValidUntil { get; init; }
}

/// <summary>Credentials of the current organization's users. Shared by the API and the admin console.</summary>
internal sealed partial class CredentialService(
    GatehouseDbContext db, FaceCredentialDetails faces, TimeProvider clock, ILogger<CredentialService> logger)
{
    /// <summary>Every credential of a user, of every kind, oldest first.</summary>
    public async Task<Result<PagedList<CredentialDto>>> ListForUserAsync(Guid userId, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return new ApiError.NotFound("The user");
        }

        var now = clock.GetUtcNow();
        var list = await db.Credentials.AsNoTracking().Where(c => c.UserId == userId)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .ToPageAsync(page, pageSize, c => c.ToDto(now), ct);
        return list with { Items = await faces.CompleteAsync(list.Items, ct) };
    }

    public async Task<Result<CredentialDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Credentials.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is { } credential
            ? await faces.CompleteAsync(credential.ToDto(clock.GetUtcNow()), ct)
            : new ApiError.NotFound("The credential");

    /// <summary>Gives a user a card; 409 when the organization already has a credential for the same card.</summary>
    public async Task<Result<CredentialDto>> AddCardAsync(Guid userId, CreateCardCredentialRequest request, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return new ApiError.NotFound("The user");
        }

        var v = new Validation();
        if (!CardIdentity.TryCreate(request.Format, request.FacilityCode, request.CardNumber, request.Csn, out var card, out var errors))
        {
            v.Add(errors);
        }

        v.Period("validUntil", request.ValidFrom, request.ValidUntil);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (await CardEnrolledAsync(card, ct))
        {
            return CardTaken(card);
        }

        var now = clock.GetUtcNow();
        var credential = CardCredential.For(userId, card);
        credential.Status = CredentialStatus.Active;
        credential.ValidFrom = request.ValidFrom;
        credential.ValidUntil = request.ValidUntil;
        credential.CreatedAt = now;
        credential.UpdatedAt = now;
        db.Credentials.Add(credential);
        if (await db.SaveOrExplainAsync(async c => await CardEnrolledAsync(card, c) ? CardTaken(card) : null, ct) is { } conflict)
        {
            return conflict;
        }

        var masked = card.ToMaskedString();
        LogCardAdded(logger, credential.Id, userId, masked);

        return credential.ToDto(clock.GetUtcNow());
    }

    /// <summary>Suspends or reactivates a credential, or changes its validity; absent fields stay as they are.</summary>
    public async Task<Result<CredentialDto>> UpdateAsync(Guid id, UpdateCredentialRequest request, CancellationToken ct)
    {
        var credential = await db.Credentials.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null)
        {
            return new ApiError.NotFound("The credential");
        }

        var v = new Validation();
        if (request.Status is { HasValue: true, Value: null })
        {
            v.Add("status", "Must be active or suspended.");
        }

        var from = request.ValidFrom.Or(credential.ValidFrom);
        var until = request.ValidUntil.Or(credential.ValidUntil);
        if (from is { } f && until is { } u && u <= f)
        {
            // Name the bound that was sent: the stored one is what it clashes with.
            if (request.ValidUntil.HasValue)
            {
                v.Add("validUntil", "Must be after validFrom.");
            }
            else
            {
                v.Add("validFrom", "Must be before validUntil.");
            }
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        var status = request.Status.Value ?? credential.Status;
        if (status != credential.Status || from != credential.ValidFrom || until != credential.ValidUntil)
        {
            credential.Status = status;
            credential.ValidFrom = from;
            credential.ValidUntil = until;
            credential.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }

        return await faces.CompleteAsync(credential.ToDto(clock.GetUtcNow()), ct);
    }

    /// <summary>Removes a credential; its history stays in the audit log and the access events.</summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var credential = await db.Credentials.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null)
        {
            return new ApiError.NotFound("The credential");
        }

        db.Credentials.Remove(credential);
        await db.SaveChangesAsync(ct);
        return null;
    }

    private Task<bool> CardEnrolledAsync(CardIdentity card, CancellationToken ct)
    {
        var identity = card.ToString();
        return db.Credentials.OfType<CardCredential>().AnyAsync(c => c.Identity == identity, ct);
    }

    private static ApiError.Conflict CardTaken(CardIdentity card) =>
        new($"This {card.Format.ToApiName()} card is already enrolled in this organization. Delete that credential first.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Card credential {CredentialId} ({Card}) added for user {UserId}")]
    private static partial void LogCardAdded(ILogger logger, Guid credentialId, Guid userId, string card);
}
