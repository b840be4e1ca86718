using Gatehouse.Server.Features.AdminConsole;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// A face's thumbnail for the admin signed in to the console: the API's <c>/api/v1/face-credentials/{id}/thumbnail</c>
/// takes only bearer tokens, so the console's cookie gets this twin (the Face panel's <c>img</c> loads it).
/// </summary>
internal static class FaceConsoleEndpoints
{
    public static void MapFaceConsole(this IEndpointRouteBuilder app) =>
        app.MapGet("/faces/{id:guid}/thumbnail.jpg", ThumbnailAsync).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();

    private static async Task<Results<FileContentHttpResult, NotFound>> ThumbnailAsync(Guid id, FaceEnrollmentService faces, HttpContext http)
    {
        // A face is biometric data: no cache keeps it once the page is gone.
        http.Response.Headers.CacheControl = "no-store";
        return (await faces.GetThumbnailAsync(id, http.RequestAborted)).Value is { } jpeg
            ? TypedResults.File(jpeg, "image/jpeg")
            : TypedResults.NotFound();
    }
}
