using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Turns a request that cannot be read (malformed JSON, a field of the wrong type, an unknown field, a
/// query value that is not a number) into a 400 problem that names the field, instead of an empty 400.
/// </summary>
internal sealed partial class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return await RequestBodyLimit.TooLargeAsync(httpContext, null);
        }

        string field;
        string message;
        if (bad.InnerException is JsonException json)
        {
            (field, message) = Describe(json);
        }
        else if (bad.StatusCode != StatusCodes.Status400BadRequest)
        {
            return false;
        }
        else if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            (field, message) = ("body", "A JSON body is required.");
        }
        else
        {
            // "Failed to bind parameter "int? page" from "one"." / "Required parameter "int page" was not provided from query string."
            field = ParameterName().Match(bad.Message) is { Success: true } m ? m.Groups[1].Value : "body";
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

    private static (string Field, string Message) Describe(JsonException json)
    {
        // The reader's own exception inside means the text is not JSON at all (truncated, a stray comma…).
        if (json.InnerException is JsonException || json.Path is null or "$")
        {
            return ("body", json.LineNumber is { } line
                ? $"The request body is not valid JSON (line {line + 1}, position {json.BytePositionInLine + 1})."
                : "The request body is not valid JSON.");
        }

        if (json is FieldFormatException)
        {
            return (FieldOf(json.Path), StripPath(json.Message));
        }

        // The path of an unknown property already ends with its name: $.windows[0].colour.
        return json.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? (FieldOf(json.Path), "This field is not known.")
            : (FieldOf(json.Path), "The value has the wrong type or format.");
    }

    /// <summary>The serializer may append " Path: $.x | LineNumber…" to a converter's message.</summary>
    private static string StripPath(string message) =>
        message.IndexOf(" Path: ", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;

    /// <summary><c>$.windows[0].start</c> → <c>windows[0].start</c>.</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    [GeneratedRegex("""parameter "(?:[^"]* )?([A-Za-z_][A-Za-z0-9_]*)"(?: was not provided| from)""")]
    private static partial Regex ParameterName();
}
