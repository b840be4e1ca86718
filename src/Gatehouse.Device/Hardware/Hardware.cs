using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;

namespace Gatehouse.Device.Hardware;

/// <summary>
/// The card reader. A driver calls the attached handler for each card presented (a decoded Wiegand frame or
/// a CSN) and can act on the answer; the simulator's "tap a card" form is one such driver.
/// </summary>
internal interface ICardReader
{
    /// <summary>Sets who decides on presented cards (the door controller); the reader is idle until then.</summary>
    void Attach(Func<CardRead, CancellationToken, Task<TapOutcome>> onCard);
}

/// <summary>A card presented at the reader; <see cref="DoorId"/> names a door when the reader serves several.</summary>
internal sealed record CardRead(CardIdentity Card, Guid? DoorId = null);

/// <summary>
/// What became of a presented card: <see cref="Reason"/> is an access reason's API name, or
/// <c>enrollment</c> when an enrollment took the card instead, or <c>noDoor</c> before the device knows its doors.
/// </summary>
internal sealed record TapOutcome(bool Granted, string Reason, Guid? DoorId = null)
{
    public const string Enrollment = "enrollment";
    public const string NoDoor = "noDoor";

    /// <summary>
    /// The card was captured for an enrollment: it was not an access attempt, so it is neither granted nor
    /// denied (<see cref="Granted"/> is false only because nothing was opened).
    /// </summary>
    public bool CapturedForEnrollment => Reason == Enrollment;

    /// <summary>The outcome in words for a person: the access reason's words, or what the device did instead.</summary>
    public string ReasonText => Reason switch
    {
        Enrollment => "Card read for enrollment",
        NoDoor => "This device has no door yet",
        _ => AccessReasons.DescribeApiName(Reason),
    };
}

/// <summary>
/// The device's network link, which the broker connection waits on before each attempt to connect. A real
/// device's link is always up as far as the agent is concerned (a lost network shows as a failed or dropped
/// connection); the simulator's can be unplugged from the device screen.
/// </summary>
internal interface INetworkLink
{
    /// <summary>Whether the link is up now.</summary>
    bool IsUp { get; }

    /// <summary>Raised when the link goes down, so a live connection is dropped the way a pulled cable drops it.</summary>
    event Action? WentDown;

    /// <summary>Waits until the link is up (returns at once when it is).</summary>
    Task WaitUpAsync(CancellationToken ct);
}

/// <summary>The link of a real device: always up.</summary>
internal sealed class AlwaysUpNetworkLink : INetworkLink
{
    public bool IsUp => true;

    public event Action? WentDown
    {
        add { }
        remove { }
    }

    public Task WaitUpAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// The camera. A driver calls the attached handler with each frame it captures (an encoded JPEG or PNG) and may
/// act on the answer: the simulator's <c>POST /simulator/face</c>, a watched folder (<c>--camera-files</c>) and the
/// device screen's webcam are such drivers; a V4L2 driver on a real device would be another.
/// </summary>
internal interface ICamera
{
    /// <summary>Whether this camera can capture a face at all.</summary>
    bool CanCapture { get; }

    /// <summary>Sets who receives the frames (enrollment first, else recognition at the door); idle until then.</summary>
    void Attach(Func<CameraFrame, CancellationToken, Task<FaceOutcome>> onFrame);
}

/// <summary>An image from the camera.</summary>
internal sealed record CameraFrame(ReadOnlyMemory<byte> Image, string ContentType);

/// <summary>What every camera source checks before a frame goes any further.</summary>
internal static class CameraFrames
{
    /// <summary>The largest frame accepted by default: 8 MiB, far above a camera's JPEG.</summary>
    public const int DefaultMaxBytes = 8 * 1024 * 1024;

    /// <summary>The outcome's reason for a frame that is not a JPEG, PNG or WebP image.</summary>
    public const string UnreadableImage = "unreadableImage";

    /// <summary>The outcome's reason for a frame over the size limit.</summary>
    public const string ImageTooLarge = "imageTooLarge";

    /// <summary>The outcome's reason when the device cannot capture (no face engine).</summary>
    public const string CameraUnavailable = "cameraUnavailable";

    /// <summary>Null when the frame may go on; else why not (<see cref="ImageTooLarge"/> or <see cref="UnreadableImage"/>).</summary>
    public static string? Check(ReadOnlySpan<byte> image, int maxBytes) =>
        image.Length > maxBytes ? ImageTooLarge : Gatehouse.Faces.FaceUploads.Sniff(image) is null ? UnreadableImage : null;
}

/// <summary>
/// What became of a frame: <see cref="Reason"/> is an access reason's API name, <c>enrollment</c> when an
/// enrollment took it, <c>noFace</c> when nobody was in it (or a quality reason the engine gave), or <c>repeat</c>
/// when the same person was just decided on. <see cref="Score"/> is the match's similarity, <see cref="Liveness"/>
/// the liveness score.
/// </summary>
internal sealed record FaceOutcome(bool Granted, string Reason, float? Score = null, float? Liveness = null)
{
    public const string Enrollment = "enrollment";
}

/// <summary>The lock relays, one per door the device controls.</summary>
internal interface ILockRelay
{
    /// <summary>Energises (<paramref name="open"/>) or releases the relay of a door.</summary>
    void Set(Guid doorId, bool open);
}

/// <summary>The LED ring.</summary>
internal interface ILed
{
    void Show(LedColor color);
}

/// <summary>The colours the LED ring shows; the simulator's API spells them in lower case.</summary>
internal enum LedColor
{
    /// <summary>Idle.</summary>
    Off,

    /// <summary>Access granted, an enrollment succeeded, a remote unlock.</summary>
    Green,

    /// <summary>Access denied, an enrollment failed.</summary>
    Red,

    /// <summary>Waiting for a card or face to enroll.</summary>
    Blue,

    /// <summary>A capture was sent; waiting for the server's outcome.</summary>
    Amber,
}

/// <summary>The speaker, which also shows what it says on the device screen.</summary>
internal interface ISpeaker
{
    /// <summary>Shows and speaks a prompt, replacing the one before.</summary>
    void Say(string prompt);

    /// <summary>Clears the prompt: the device is idle again.</summary>
    void Silence();
}
