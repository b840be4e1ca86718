namespace Gatehouse.Faces;

/// <summary>
/// What a door device says (shown and spoken) when a camera frame cannot enroll a face: short words the person in
/// front of the camera can act on. The device says them for each frame it refuses, and the server's outcome of an
/// enrollment uses the same words, so the person hears one vocabulary.
/// </summary>
public static class FacePrompts
{
    /// <summary>The prompt for <paramref name="reason"/>.</summary>
    public static string For(FaceRejection reason) => reason switch
    {
        FaceRejection.NoFace => "Please stand in front of the camera",
        FaceRejection.MultipleFaces => "Only one person, please",
        FaceRejection.FaceTooSmall => "Please come closer",
        FaceRejection.NotFrontal => "Please face the camera",
        FaceRejection.Blurry => "Please hold still",
        FaceRejection.PoorExposure => "Please find better light",
        FaceRejection.EyesClosed => "Please open your eyes",
        FaceRejection.NotLive => "Face not accepted, please try again",
        _ => "Camera image not readable, please try again",
    };

    /// <summary>Reads a reason by its JSON name (<c>notFrontal</c>); false for anything else.</summary>
    public static bool TryParse(string? name, out FaceRejection reason)
    {
        foreach (var value in Enum.GetValues<FaceRejection>())
        {
            if (string.Equals(Name(value), name, StringComparison.Ordinal))
            {
                reason = value;
                return true;
            }
        }

        reason = default;
        return false;
    }

    /// <summary>The JSON name of a reason (<c>notFrontal</c>).</summary>
    public static string Name(FaceRejection reason) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(reason.ToString());
}
