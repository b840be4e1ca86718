using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// Completes the <c>face</c> of credentials as the API shows them with what the row alone does not tell: whether the
/// engine now runs another model (re-enroll needed), and the name of the user a face resembles while that face is
/// still enrolled.
/// </summary>
internal sealed class FaceCredentialDetails(GatehouseDbContext db, FaceEngineHost engine)
{
    public async Task<IReadOnlyList<CredentialDto>> CompleteAsync(IReadOnlyList<CredentialDto> credentials, CancellationToken ct)
    {
        if (!credentials.Any(c => c.Face is not null))
        {
            return credentials;
        }

        var resembled = credentials.Select(c => c.Face?.Resembles?.CredentialId).OfType<Guid>().Distinct().ToList();
        var names = resembled.Count == 0
            ? []
            : await (
                    from c in db.Credentials.AsNoTracking()
                    where resembled.Contains(c.Id) && c.Type == CredentialType.Face
                    join u in db.Users on c.UserId equals u.Id
                    select new { c.Id, u.FirstName, u.LastName })
                .ToDictionaryAsync(x => x.Id, x => $"{x.FirstName} {x.LastName}", ct);

        // With the engine off there is no current model to compare with: nothing is said to need re-enrolling.
        var model = engine.Model;
        return credentials.Select(c => c.Face is not { } face ? c : c with
        {
            Face = face with
            {
                ReenrollNeeded = model is not null && face.Model != model,
                Resembles = face.Resembles is { } r && names.TryGetValue(r.CredentialId, out var name) ? r with { Name = name } : null,
            },
        }).ToList();
    }

    public async Task<CredentialDto> CompleteAsync(CredentialDto credential, CancellationToken ct) =>
        (await CompleteAsync([credential], ct))[0];
}
