namespace Gatehouse.Core.DeviceProtocol;

/// <summary>Device → server on <see cref="DeviceTopics.Events"/>: events oldest first.</summary>
public sealed record EventBatch(IReadOnlyList<DeviceEvent> Events);

/// <summary>
/// One attempt at a door of the device, or a door event. <see cref="Id"/> is chosen by the device and keeps
/// a resent event from being stored twice. <see cref="Reason"/> is an access reason's API name
/// (<c>granted</c>, <c>unknownCredential</c>, …). <see cref="Card"/> is the masked card text, for unknown cards.
/// <see cref="CredentialType"/> is the credential's kind (<c>card</c>, <c>face</c>…), or <see cref="RemoteUnlock"/>
/// for a remote unlock carried out, whose <see cref="Id"/> is the command's. A face's event carries the best
/// match's similarity (<see cref="Score"/>) and the frame's <see cref="Liveness"/> score — never an image or a template.
/// </summary>
public sealed record DeviceEvent(
    Guid Id,
    DateTimeOffset OccurredAt,
    Guid DoorId,
    string CredentialType,
    bool Granted,
    string Reason,
    Guid? CredentialId = null,
    Guid? UserId = null,
    string? Card = null,
    float? Score = null,
    float? Liveness = null)
{
    /// <summary>The <see cref="CredentialType"/> of a face recognised (or not) at the door.</summary>
    public const string Face = "face";

    /// <summary>
    /// The <see cref="CredentialType"/> of a phone's QR code shown at the door (and of any QR code that is not one of
    /// ours). <see cref="CredentialId"/> and <see cref="UserId"/> are set only once the token's signature is the synced
    /// key's; the token itself is never sent.
    /// </summary>
    public const string Mobile = "mobile";

    /// <summary>The <see cref="CredentialType"/> of a remote unlock the device carried out.</summary>
    public const string RemoteUnlock = "remoteUnlock";
}

/// <summary>Server → device on <see cref="DeviceTopics.EventAcks"/>: these events are stored (or were already); drop them.</summary>
public sealed record EventAck(IReadOnlyList<Guid> Ids);
