using System.Text.Json.Serialization;
using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Decisions;

/// <summary>
/// A card as presented: its numbers (<c>format, facilityCode, cardNumber</c>), the Wiegand bits a reader
/// sent (<c>wiegand</c>, with the <c>format</c> when known), or its serial number (<c>csn</c>).
/// </summary>
internal sealed record PresentedCardRequest(
    string? Format = null, long? FacilityCode = null, long? CardNumber = null, string? Wiegand = null, string? Csn = null);

/// <summary>The door and the card are required; <c>at</c> defaults to now.</summary>
internal sealed record AccessDecisionRequest(Guid? DoorId, DateTimeOffset? At = null, PresentedCardRequest? Card = null);

internal sealed record AccessDecisionDto(
    bool Granted,
    string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? UserId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? CredentialId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? AccessGroupId)
{
    public static AccessDecisionDto From(AccessDecision d) =>
        new(d.Granted, d.Reason.ToApiName(), d.UserId, d.CredentialId, d.AccessGroupId);
}

/// <summary>
/// Answers "would this card open this door at this instant?" from the organization's cached snapshot,
/// without opening anything and without recording an event. Shared by the API and the admin console.
/// </summary>
internal sealed class AccessDecisionService(AccessSnapshotCache snapshots, CurrentOrganization organization, TimeProvider clock)
{
    private const string CardField = "card";

    public async ValueTask<Result<AccessDecisionDto>> DecideAsync(AccessDecisionRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.DoorId is null)
        {
            v.Add("doorId", "This field is required.");
        }

        var candidates = ReadCard(v, request.Card);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var snapshot = await snapshots.GetAsync(organization.RequiredId, ct);
        var doorId = request.DoorId!.Value;
        if (!snapshot.ContainsDoor(doorId))
        {
            return new ApiError.NotFound("The door");
        }

        var at = request.At ?? clock.GetUtcNow();

        // A 37-bit frame may read as two formats; normally only one of them is enrolled.
        var decision = new AccessDecision(AccessReason.UnknownCredential);
        foreach (var card in candidates)
        {
            decision = snapshot.Decide(card.ToKey(), doorId, at);
            if (decision.Reason != AccessReason.UnknownCredential)
            {
                break;
            }
        }

        return AccessDecisionDto.From(decision);
    }

    /// <summary>The cards the presentation may be; empty (and <paramref name="v"/> told why) when it is not a card.</summary>
    private static CardIdentity[] ReadCard(Validation v, PresentedCardRequest? card)
    {
        if (card is null)
        {
            v.Add(CardField, "This field is required: the card's numbers, its Wiegand bits, or its CSN.");
            return [];
        }

        if (card.Wiegand is null)
        {
            // The numbers, or a CSN: the format says which, and a bare csn needs none.
            var format = card.Format ?? (card.Csn is not null && card.CardNumber is null ? CardFormat.Csn.ToApiName() : null);
            if (CardIdentity.TryCreate(format, card.FacilityCode, card.CardNumber, card.Csn, out var identity, out var errors))
            {
                return [identity];
            }

            v.Add(errors, CardField);
            return [];
        }

        NotWithWiegand(v, CardFields.FacilityCode, card.FacilityCode is not null);
        NotWithWiegand(v, CardFields.CardNumber, card.CardNumber is not null);
        NotWithWiegand(v, CardFields.Csn, card.Csn is not null);

        CardFormat? wiegandFormat = null;
        if (card.Format is not null)
        {
            if (!CardFormats.TryParse(card.Format, out var parsed) || !parsed.GetInfo().IsWiegand)
            {
                v.Add($"{CardField}.{CardFields.Format}", "Must be a Wiegand format (H10301, H10302, H10304, C1000-35, C1000-48), or left out to go by the length.");
                return [];
            }

            wiegandFormat = parsed;
        }

        var decoded = Wiegand.Decode(card.Wiegand, wiegandFormat);
        if (!decoded.IsSuccess)
        {
            v.Add($"{CardField}.wiegand", decoded.ErrorMessage!);
            return [];
        }

        return v.IsValid ? [.. decoded] : [];
    }

    private static void NotWithWiegand(Validation v, string field, bool present)
    {
        if (present)
        {
            v.Add($"{CardField}.{field}", "Send either the Wiegand bits or the card's fields, not both.");
        }
    }
}
