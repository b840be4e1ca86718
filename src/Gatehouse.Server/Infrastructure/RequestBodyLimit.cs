using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Bounds every request body: <see cref="MaxBytes"/> unless the endpoint says otherwise with
/// <c>[RequestSizeLimit]</c> (the console's CSV import). A body declared larger is refused with 413 before a
/// byte of it is read; a chunked one is cut off by the server at the same limit.
/// </summary>
internal static class RequestBodyLimit
{
    /// <summary>The largest body of an API call or console form: far above any real request.</summary>
    public const long MaxBytes = 1024 * 1024;

    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata
            ? metadata.MaxRequestBodySize
            : MaxBytes;
        if (limit is { } max && context.Request.ContentLength > max)
        {
            await TooLargeAsync(context, max);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    });

    /// <summary>The 413 problem, also for a chunked body found too large while it is read.</summary>
    public static ValueTask<bool> TooLargeAsync(HttpContext context, long? max)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Request body too large",
                Detail = max is { } m ? $"The request body may be at most {m / 1024:N0} KB." : "The request body is too large.",
            },
        });
    }
}
