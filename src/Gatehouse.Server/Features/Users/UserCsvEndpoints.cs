using System.Text;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Users;

/// <summary>The console's users CSV downloads, for the admin signed in with the console's cookie.</summary>
internal static class UserCsvEndpoints
{
    public static void MapUserCsv(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/export.csv", Export).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
        app.MapGet("/users/import-template.csv", Template).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
    }

    /// <summary>Every user (or those matching <c>?search=</c>), ordered as the list is, in the import's columns.</summary>
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Export(
        UserService users, AccessGroupService groups, HttpContext http, string? search = null)
    {
        var ct = http.RequestAborted;
        var first = await users.ListAsync(search, 1, Paging.MaxPageSize, ct);
        if (first.Error is { } error)
        {
            return error.ToProblem();
        }

        var groupNames = ((await groups.ListAsync(1, Paging.MaxPageSize, ct)).Value?.Items ?? []).ToDictionary(g => g.Id, g => g.Name);
        return TypedResults.Stream(
            async body =>
            {
                await using var writer = Writer(body);
                var line = new StringBuilder(256);
                await writer.WriteAsync(UserCsv.Header(line));
                var page = first.Value!;
                while (true)
                {
                    foreach (var user in page.Items)
                    {
                        await writer.WriteAsync(UserCsv.Row(line, user, groupNames));
                    }

                    if (page.Page * page.PageSize >= page.Total)
                    {
                        break;
                    }

                    page = (await users.ListAsync(search, page.Page + 1, Paging.MaxPageSize, ct)).Value!;
                }
            },
            "text/csv; charset=utf-8",
            "users.csv");
    }

    private static PushStreamHttpResult Template() => TypedResults.Stream(
        async body =>
        {
            await using var writer = Writer(body);
            var line = new StringBuilder(128);
            await writer.WriteAsync(UserCsv.Header(line));
            await writer.WriteAsync("Ana,Silva,ana@example.com,+4930123456,active,2026-01-01,,Staff\r\n");
        },
        "text/csv; charset=utf-8",
        "users-template.csv");

    // With a byte order mark, spreadsheets read names as UTF-8 rather than the local code page.
    private static StreamWriter Writer(Stream body) =>
        new(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024, leaveOpen: true);
}
