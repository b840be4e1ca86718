using System.Text.Json.Serialization;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>Server → device on <see cref="DeviceTopics.Commands"/>. The JSON names its kind in <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(UnlockCommand), "unlock")]
[JsonDerivedType(typeof(EnrollCommand), "enroll")]
[JsonDerivedType(typeof(CancelEnrollmentCommand), "cancelEnrollment")]
[JsonDerivedType(typeof(EnrollmentOutcomeCommand), "enrollmentOutcome")]
public abstract record DeviceCommand(Guid Id, DateTimeOffset IssuedAt);

/// <summary>
/// Open a door's lock relay for its configured time (a remote unlock). A device refuses the command once its
/// own clock is past <see cref="ExpiresAt"/> (the server has stopped waiting for it by then), answering
/// <see cref="CommandDoneReply"/> with <see cref="CommandDoneReply.ExpiredReason"/>. Null (a server older than
/// the field): no expiry.
/// </summary>
public sealed record UnlockCommand(Guid Id, DateTimeOffset IssuedAt, Guid DoorId, DateTimeOffset? ExpiresAt = null) : DeviceCommand(Id, IssuedAt);

/// <summary>What an enrollment at a device captures.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EnrollmentKind>))]
public enum EnrollmentKind
{
    /// <summary>A card or key fob presented at the reader.</summary>
    [JsonStringEnumMemberName("card")] Card = 1,

    /// <summary>A face in front of the camera.</summary>
    [JsonStringEnumMemberName("face")] Face = 2,
}

/// <summary>
/// Start an enrollment: prompt the person, capture the next card (or face) until <see cref="ExpiresAt"/>,
/// and reply with an <see cref="EnrollmentCapturedReply"/>. A new enrollment replaces an unfinished one.
/// </summary>
public sealed record EnrollCommand(Guid Id, DateTimeOffset IssuedAt, Guid EnrollmentId, EnrollmentKind Kind, DateTimeOffset ExpiresAt)
    : DeviceCommand(Id, IssuedAt);

/// <summary>Stop waiting for an enrollment's capture (cancelled by the admin, or timed out at the server).</summary>
public sealed record CancelEnrollmentCommand(Guid Id, DateTimeOffset IssuedAt, Guid EnrollmentId, string Prompt)
    : DeviceCommand(Id, IssuedAt);

/// <summary>How the server took a capture: show green and <see cref="Prompt"/> when it became a credential, else red.</summary>
public sealed record EnrollmentOutcomeCommand(Guid Id, DateTimeOffset IssuedAt, Guid EnrollmentId, bool Succeeded, string Prompt)
    : DeviceCommand(Id, IssuedAt);

/// <summary>Device → server on <see cref="DeviceTopics.Replies"/>. The JSON names its kind in <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CommandDoneReply), "done")]
[JsonDerivedType(typeof(EnrollmentCapturedReply), "enrollmentCaptured")]
public abstract record DeviceReply(Guid CommandId, DateTimeOffset At);

/// <summary>
/// A command was carried out (<see cref="Succeeded"/>) or could not be: <see cref="Error"/> says why in words,
/// <see cref="Reason"/> (when the device gives one) as a name the server can act on.
/// </summary>
public sealed record CommandDoneReply(Guid CommandId, DateTimeOffset At, bool Succeeded, string? Error = null, string? Reason = null)
    : DeviceReply(CommandId, At)
{
    /// <summary>The command arrived after its <c>expiresAt</c> (by the device's clock) and was not carried out.</summary>
    public const string ExpiredReason = "expired";

    /// <summary>The command names a door the device does not control.</summary>
    public const string UnknownDoorReason = "unknownDoor";
}

/// <summary>
/// What an enrollment captured: <see cref="Card"/> is the canonical card identity read at the reader
/// (in the device's Wiegand format, or a CSN). For a face, <see cref="Face"/> is the chosen camera frame (an
/// encoded JPEG, PNG or WebP) sealed with <see cref="DeviceChannelCipher"/> under the context
/// <see cref="FaceContext"/>; or, when no frame within the window passed the device's checks, <see cref="Face"/> is
/// null and <see cref="FaceRejection"/> names the last reason (<c>noFace</c>, <c>multipleFaces</c>, <c>notFrontal</c>…).
/// </summary>
public sealed record EnrollmentCapturedReply(
    Guid CommandId, DateTimeOffset At, Guid EnrollmentId, EnrollmentKind Kind, string? Card = null, byte[]? Face = null, string? FaceRejection = null)
    : DeviceReply(CommandId, At)
{
    /// <summary>What a face capture is sealed for: this enrollment, and nothing else.</summary>
    public static byte[] FaceContext(Guid enrollmentId) => DeviceChannelCipher.Context("faceEnrollment", enrollmentId);
}
