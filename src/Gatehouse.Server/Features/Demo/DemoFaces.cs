using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Demo;

/// <summary>
/// The demo's faces: the first user's face enrolled from a fetched photo (<c>scripts/face-photos.sh</c> puts them
/// in the data directory's <c>face-photos</c>), and a selfie invitation to the second user whose email waits in
/// the Dev mailbox. Without the face models or the photo, the demo goes on without them and the log says why.
/// </summary>
internal sealed partial class DemoFaces(
    FaceEngineHost engine,
    FaceEnrollmentService enrollment,
    FaceInvitationService invitations,
    PublicLinks links,
    IOptions<GatehouseOptions> options,
    ILogger<DemoFaces> logger)
{
    /// <summary>The folder of the data directory the demo's photos are read from.</summary>
    public const string PhotoFolder = "face-photos";

    /// <summary>Frontal portraits the engine enrolls, in the order tried (the photos' own names).</summary>
    public static readonly IReadOnlyList<string> Photos = ["kim1_crop.jpg", "obama4_crop.jpg", "cage.jpg"];

    public async Task SeedAsync(DemoWorldCreated created, Guid adminId, DateTimeOffset now, CancellationToken ct)
    {
        if (engine.UnavailableReason is { } reason)
        {
            LogNoEngine(logger, reason);
            return;
        }

        await EnrollAsync(created.Holders[0], adminId, ct);
        if (!links.TryGetBase(out _))
        {
            return;
        }

        var invited = created.Holders[1];
        var invitation = await invitations.CreateAsync(invited.UserId, adminId, new CreateFaceInvitationRequest(SendEmail: true, ExpiresAt: now.AddDays(14)), ct);
        if (invitation.Error is { } error)
        {
            throw new InvalidOperationException($"The demo's selfie invitation was refused: {error}.");
        }
    }

    private async Task EnrollAsync(DemoHolder holder, Guid adminId, CancellationToken ct)
    {
        var folder = Path.Combine(options.Value.FullDataDirectory, PhotoFolder);
        var path = Photos.Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            LogNoPhoto(logger, folder);
            return;
        }

        // The demo's owner records the consent, as an administrator does when enrolling someone in person.
        await using var photo = File.OpenRead(path);
        var result = await enrollment.EnrollFromPhotoAsync(holder.UserId, photo, new FaceConsentInput(true, adminId, null), ct);
        if (result.Error is { } error)
        {
            LogNotEnrolled(logger, Path.GetFileName(path), error is ApiError.PhotoRejected rejected ? rejected.Reason.ToString() : error.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The demo has no faces: face features are off ({Reason})")]
    private static partial void LogNoEngine(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The demo enrolls no face: no demo photo in {Folder} (scripts/face-photos.sh fetches them)")]
    private static partial void LogNoPhoto(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo's face photo {Photo} was not enrolled: {Reason}")]
    private static partial void LogNotEnrolled(ILogger logger, string photo, string reason);
}
