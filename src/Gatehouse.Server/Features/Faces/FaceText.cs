using System.Globalization;
using Gatehouse.Faces;

namespace Gatehouse.Server.Features.Faces;

/// <summary>How the console words a face's analysis and an invitation's state.</summary>
internal static class FaceText
{
    /// <summary>The console's and the selfie page's one sentence for a photo that did not enroll.</summary>
    public const string Failed = "We were unable to process the photo. Please try again.";

    /// <summary>What the analysis measured, as label and value, in the order a person checks them; unmeasured ones left out.</summary>
    public static IReadOnlyList<(string Label, string Value)> Metrics(FaceQuality q)
    {
        var metrics = new List<(string, string)>();
        if (q.FacesFound is { } faces)
        {
            metrics.Add(("Faces found", faces.ToString(CultureInfo.InvariantCulture)));
        }

        if (q.FaceWidth is { } width)
        {
            metrics.Add(("Face width", $"{width} px" + (q.ImageWidth is { } w and > 0 ? $" of {w}" : "")));
        }

        if (q.Yaw is { } yaw && q.Pitch is { } pitch)
        {
            metrics.Add(("Head turn / tilt", $"{Degrees(yaw)} / {Degrees(pitch)}"));
        }

        if (q.Sharpness is { } sharpness)
        {
            metrics.Add(("Sharpness", sharpness.ToString("0", CultureInfo.InvariantCulture)));
        }

        if (q.Brightness is { } brightness)
        {
            metrics.Add(("Brightness", $"{brightness.ToString("0", CultureInfo.InvariantCulture)} of 255"));
        }

        if (q.EyesOpen is { } eyes)
        {
            metrics.Add(("Eyes open", Percent(eyes)));
        }

        if (q.Liveness is { } liveness)
        {
            metrics.Add(("Liveness", Percent(liveness)));
        }

        if (q.DetectionScore is { } score)
        {
            metrics.Add(("Detection", Percent(score)));
        }

        if (q.ImageWidth is { } iw && q.ImageHeight is { } ih)
        {
            metrics.Add(("Photo", $"{iw} × {ih} px"));
        }

        return metrics;
    }

    /// <summary>A face's quality in one line for the Face panel, e.g. "Face 212 px · facing the camera · sharpness 180".</summary>
    public static string Summary(FaceQuality q)
    {
        var parts = new List<string>();
        if (q.FaceWidth is { } width)
        {
            parts.Add($"face {width} px");
        }

        if (q.Yaw is { } yaw && q.Pitch is { } pitch)
        {
            parts.Add(Math.Abs(yaw) <= 10 && Math.Abs(pitch) <= 10 ? "facing the camera" : $"turned {Degrees(yaw)}, tilted {Degrees(pitch)}");
        }

        if (q.Sharpness is { } sharpness)
        {
            parts.Add($"sharpness {sharpness.ToString("0", CultureInfo.InvariantCulture)}");
        }

        if (q.Liveness is { } liveness)
        {
            parts.Add($"liveness {Percent(liveness)}");
        }

        var text = string.Join(" · ", parts);
        return text.Length == 0 ? "No measurements" : char.ToUpperInvariant(text[0]) + text[1..];
    }

    public static string StatusLabel(FaceInvitationStatus status) => status switch
    {
        FaceInvitationStatus.Sent => "Sent",
        FaceInvitationStatus.Opened => "Opened",
        FaceInvitationStatus.Completed => "Completed",
        FaceInvitationStatus.Expired => "Expired",
        FaceInvitationStatus.Revoked => "Revoked",
        _ => status.ToString(),
    };

    public static string StatusKind(FaceInvitationStatus status) => status switch
    {
        FaceInvitationStatus.Sent => "info",
        FaceInvitationStatus.Opened => "accent",
        FaceInvitationStatus.Completed => "success",
        FaceInvitationStatus.Revoked => "danger",
        _ => "neutral",
    };

    /// <summary>Whether the invitation's link still takes photos, so it can be revoked or resent.</summary>
    public static bool IsOpen(FaceInvitationStatus status) => status is FaceInvitationStatus.Sent or FaceInvitationStatus.Opened;

    /// <summary>How the link was sent: "Email", "Text" or "Email and text".</summary>
    public static string Channels(bool email, bool text) => (email, text) switch
    {
        (true, true) => "Email and text",
        (true, false) => "Email",
        _ => "Text",
    };

    private static string Degrees(float value) => $"{value.ToString("0", CultureInfo.InvariantCulture)}°";

    private static string Percent(float value) => $"{(value * 100).ToString("0", CultureInfo.InvariantCulture)}%";
}
