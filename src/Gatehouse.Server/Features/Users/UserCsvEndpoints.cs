using System.Text;
using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Gatehouse.Server.Features.Users;

/// <summary>A user the import read (or created), as its report lists it.</summary>
internal sealed record UserImportRowDto(
    int Line, string FirstName, string LastName, string? Email, string? Phone, UserStatus Status,
    DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, IReadOnlyList<Guid> AccessGroupIds);

/// <summary>
/// The answer of <c>POST /api/v1/users/import</c>: with <c>dryRun</c> the users the file would create and
/// <c>imported: 0</c>; without, the users created.
/// </summary>
internal sealed record UserImportReport(bool DryRun, int Imported, IReadOnlyList<string> IgnoredColumns, IReadOnlyList<UserImportRowDto> Users);

/// <summary>
/// The users CSV: <c>/api/v1/users/import</c> and <c>/api/v1/users/export.csv</c> for scripts with a bearer
/// token, and the console's twins <c>/users/export.csv</c> and <c>/users/import-template.csv</c> for the
/// admin signed in with the console's cookie.
/// </summary>
internal static class UserCsvEndpoints
{
    private const string CsvType = "text/csv";

    public static void MapUserCsvApi(this RouteGroupBuilder users)
    {
        users.MapGet("/export.csv", Export)
            .Produces<string>(StatusCodes.Status200OK, CsvType)
            .WithSummary("Every user (or those matching ?search=) as CSV in the import's columns: firstName,lastName,email,phone,status,validFrom,validUntil,accessGroups.");
        // The body is described rather than declared with Accepts: a declared content type is matched by routing,
        // before authorization, and a viewer must hear 403 whatever the body.
        users.MapPost("/import", Import)
            .WithMetadata(new RequestSizeLimitAttribute(UserCsv.MaxFileBytes))
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The CSV file, UTF-8.",
                    Content = new Dictionary<string, OpenApiMediaType> { [CsvType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                };
                return Task.CompletedTask;
            })
            .WithSummary($"Create users from a CSV file (the export's columns; at most {UserService.MaxImportRows:N0} rows and 1 MB), all or none. "
                + "?dryRun=true checks every row and saves nothing. A bad row is a 400 whose errors are keyed lines[N].column by the file's line.");
    }

    public static void MapUserCsv(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/export.csv", Export).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
        app.MapGet("/users/import-template.csv", Template).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Export(UserCsvService csv, HttpContext http, string? search = null)
    {
        var ct = http.RequestAborted;
        if (await csv.CheckExportAsync(search, ct) is { } error)
        {
            return error.ToProblem();
        }

        return TypedResults.Stream(body => csv.WriteExportAsync(body, search, ct), "text/csv; charset=utf-8", "users.csv");
    }

    /// <summary>Dates and local times without an offset are read in UTC: a script has no viewer's zone.</summary>
    private static async Task<Results<Ok<UserImportReport>, ProblemHttpResult>> Import(
        HttpRequest request, UserCsvService csv, CancellationToken ct, bool dryRun = false)
    {
        if (!IsCsv(request.ContentType))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the file as text/csv.");
        }

        string text;
        try
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            text = await reader.ReadToEndAsync(ct);
        }
        catch (DecoderFallbackException)
        {
            return ApiError.Invalid.Field("file", "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.").ToProblem();
        }

        var (file, imported) = dryRun
            ? (await csv.CheckAsync(text, TimeZoneInfo.Utc, ct), 0)
            : await csv.ImportAsync(text, TimeZoneInfo.Utc, ct);
        if (file.Problem is { } problem)
        {
            return ApiError.Invalid.Field("file", problem).ToProblem();
        }

        if (file.HasRowErrors)
        {
            var errors = file.Rows.SelectMany(r => r.Errors.Select(e => ($"lines[{r.Line}].{e.Key}", e.Value.ToArray())));
            return new ApiError.Invalid(errors.ToDictionary(e => e.Item1, e => e.Item2, StringComparer.Ordinal)).ToProblem();
        }

        return TypedResults.Ok(new UserImportReport(dryRun, imported, file.IgnoredColumns, [.. file.Rows.Select(ToDto)]));
    }

    private static UserImportRowDto ToDto(ImportRow row)
    {
        var r = row.Request;
        return new(row.Line, r.FirstName!.Trim(), r.LastName!.Trim(), r.Email, r.Phone, r.Status ?? UserStatus.Active, r.ValidFrom, r.ValidUntil,
            [.. (r.AccessGroupIds ?? []).Distinct()]);
    }

    private static bool IsCsv(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(CsvType, StringComparison.OrdinalIgnoreCase);

    private static PushStreamHttpResult Template() => TypedResults.Stream(
        async body =>
        {
            await using var csv = CsvExport.To(body);
            await csv.WriteRowAsync(UserCsv.Columns);
            await csv.WriteRowAsync(["Ana", "Silva", "ana@example.com", "+4930123456", "active", "2026-01-01", "", "Staff"]);
        },
        "text/csv; charset=utf-8",
        "users-template.csv");
}
