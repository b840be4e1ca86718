using System.Security.Cryptography;
using Gatehouse.Core;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.Mobile;

namespace Gatehouse.DeviceLoad;

/// <summary>What the revocation run revokes (<c>--credential</c>).</summary>
internal enum RevokedKind
{
    Card,
    Face,
    Mobile,
}

/// <summary>
/// One holder's credential that the revocation run revokes, and how a device is asked whether it still opens the
/// door. <see cref="Refusal"/> runs on an agent's message loop right after it applied a sync.
/// </summary>
internal abstract class RevokedCredential(Guid credentialId) : IDisposable
{
    private static readonly Lazy<byte[]> FacePhoto = new(() => Gatehouse.Testing.FaceAssets.Photo("obama4_crop.jpg"));

    public Guid CredentialId { get; } = credentialId;

    public static string Plural(RevokedKind kind) => kind switch
    {
        RevokedKind.Face => "faces",
        RevokedKind.Mobile => "mobile credentials",
        _ => "cards",
    };

    /// <summary>
    /// A user in the building's group holding one credential of <paramref name="kind"/>: an H10301 card 1:(1000 +
    /// <paramref name="index"/>); for a face, also a face enrolled from one photo (the face is revoked); for a
    /// phone, an email address and a mobile credential activated through the API with its own P-256 key.
    /// </summary>
    public static async Task<RevokedCredential> NewAsync(RevokedKind kind, LoadServer server, Organization organization, Building building, int index)
    {
        var owner = organization.Owner;
        switch (kind)
        {
            case RevokedKind.Mobile:
                var user = await Api.NewUserAsync(owner, building, "Phone", $"Holder {index}", $"phone-{index}@example.com");
                var (credentialId, key) = await Phones.NewActivatedAsync(server, organization, user);
                return new Phone(credentialId, organization.Id, key);
            case RevokedKind.Face:
                var (faceUser, _) = await Api.NewCardholderAsync(owner, building, 1, 1000 + index);
                return new Face(await Api.NewFaceAsync(owner, faceUser, FacePhoto.Value));
            default:
                var (_, card) = await Api.NewCardholderAsync(owner, building, 1, 1000 + index);
                return new Card(card, LoadAgent.Card(1, 1000 + index));
        }
    }

    /// <summary>The device's answer right now as it reaches the person: null when the door opens, else the reason it refuses.</summary>
    public abstract string? Refusal(LoadAgent agent);

    /// <summary>
    /// Before the revocations, at every device: whether it holds the credential as one that opens its door. By default
    /// the same question as <see cref="Refusal"/>; a phone answers it without spending a code at every door.
    /// </summary>
    public virtual bool HeldBy(LoadAgent agent) => Refusal(agent) is null;

    public virtual void Dispose()
    {
    }

    private static string? Reason(AccessDecision decision) => decision.Granted ? null : decision.Reason.ToApiName();

    /// <summary>A card, decided by its key.</summary>
    private sealed class Card(Guid credentialId, CredentialKey key) : RevokedCredential(credentialId)
    {
        public override string? Refusal(LoadAgent agent) => Reason(agent.Decide(key, TimeProvider.System));
    }

    /// <summary>A face, decided by its credential as once recognised (the face engine's match is not timed here).</summary>
    private sealed class Face(Guid credentialId) : RevokedCredential(credentialId)
    {
        public override string? Refusal(LoadAgent agent) => Reason(agent.DecideCredential(CredentialId, TimeProvider.System));
    }

    /// <summary>
    /// A phone: each question is a fresh QR token (new <c>jti</c>) signed with the phone's key, shown to the agent's
    /// door controller (<see cref="Gatehouse.Device.Door.DoorController.DecideQr"/>): offline token check, the token ID
    /// recorded, the engine's decision, and the door's event, as at a real door.
    /// </summary>
    private sealed class Phone(Guid credentialId, Guid organizationId, ECDsa key) : RevokedCredential(credentialId)
    {
        private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

        public override string? Refusal(LoadAgent agent)
        {
            string token;

            // Agents ask from their own message loops at once; one key object signs one token at a time.
            lock (key)
            {
                token = MobileToken.Create(key, CredentialId, organizationId, TimeProvider.System.GetUtcNow(), Lifetime);
            }

            var outcome = agent.Door.DecideQr(token);
            return outcome.Granted ? null : outcome.Reason;
        }

        public override bool HeldBy(LoadAgent agent) =>
            agent.Engine.Current.PhoneKeys.ContainsKey(CredentialId) && agent.DecideCredential(CredentialId, TimeProvider.System).Granted;

        public override void Dispose()
        {
            key.Dispose();
            base.Dispose();
        }
    }
}
