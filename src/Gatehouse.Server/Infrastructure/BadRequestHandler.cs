using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Turns a body that cannot be read (malformed JSON, a field of the wrong type, an unknown field) into a
/// 400 problem that names the field, instead of an empty 400.
/// </summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var field = "body";
        var message = "The request body is not valid JSON.";
        if (bad.InnerException is JsonException json)
        {
            field = FieldOf(json.Path);
            message = json.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? "This field is not known."
                : json.Path is null or "$" ? "The request body is not valid JSON." : "The value has the wrong type or format.";
            if (json.Message.Contains("could not be mapped", StringComparison.Ordinal) && ExtractUnknownProperty(json.Message) is { } unknown)
            {
                field = unknown;
            }
        }
        else if (bad.StatusCode != StatusCodes.Status400BadRequest)
        {
            return false;
        }
        else
        {
            message = bad.Message;
        }

        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more fields are invalid.",
            },
            Exception = exception,
        });
    }

    /// <summary><c>$.windows[0].start</c> → <c>windows[0].start</c>.</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string? ExtractUnknownProperty(string message)
    {
        // "The JSON property 'x' could not be mapped to any .NET member contained in type …"
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}
