using System.Globalization;
using Gatehouse.Server.Components.Shared;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// The console capture page's form, read: the photo, the consent tick and the notice version the page showed. What
/// the form alone can tell is checked here; the rest (the analysis, the consent's record) is the enrollment's.
/// </summary>
internal sealed record FaceCaptureForm(IFormFile? Photo, bool Consent, int? NoticeVersion, FormErrors? Error)
{
    /// <summary>The request limit of the page: the largest photo the options allow, and the form around it.</summary>
    public const long MaxRequestBytes = 64L * 1024 * 1024 + FaceEndpoints.MultipartOverheadBytes;

    /// <summary>Reads the posted form; <paramref name="limit"/> is the options' largest photo in bytes.</summary>
    public static async Task<FaceCaptureForm> ReadAsync(HttpContext http, int limit, CancellationToken ct)
    {
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
        {
            return new(null, false, null, FormErrors.Field("photo", "The photo is too large. Choose a smaller one."));
        }

        var consent = form["consent"] == "true";
        var version = int.TryParse(form["noticeVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
        var photo = form.Files.GetFile("photo");
        FormErrors? error = photo is null || photo.Length == 0
            ? FormErrors.Field("photo", "Take a photo with the camera, or choose one.")
            : photo.Length > limit
                ? FormErrors.Field("photo", $"The photo is {photo.Length / (1024 * 1024.0):0.#} MB; it may be at most {limit / (1024 * 1024.0):0.#} MB.")
                : null;
        return new(photo, consent, version, error);
    }
}
