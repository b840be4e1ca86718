using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Sites;

internal static class SiteEndpoints
{
    public static void MapSites(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");
        sites.MapGet("/", List).WithSummary("List the sites, by name.");
        sites.MapGet("/{id:guid}", Get).WithSummary("Get a site.");
        sites.MapPost("/", Create).WithSummary("Create a site.");
        sites.MapPatch("/{id:guid}", Update).WithSummary("Change a site's name or time zone.");
        sites.MapDelete("/{id:guid}", Delete).WithSummary("Delete a site that has no doors.");
    }

    private static async Task<Results<Ok<PagedList<SiteDto>>, ProblemHttpResult>> List(
        int? page, int? pageSize, SiteService sites, CancellationToken ct)
    {
        var result = await sites.ListAsync(page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<SiteDto>, ProblemHttpResult>> Get(Guid id, SiteService sites, CancellationToken ct)
    {
        var result = await sites.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<SiteDto>, ProblemHttpResult>> Create(
        CreateSiteRequest request, SiteService sites, CancellationToken ct)
    {
        var result = await sites.CreateAsync(request, ct);
        return result.ToCreated(created => $"/api/v1/sites/{created.Id}");
    }

    private static async Task<Results<Ok<SiteDto>, ProblemHttpResult>> Update(
        Guid id, UpdateSiteRequest request, SiteService sites, CancellationToken ct)
    {
        var result = await sites.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, SiteService sites, CancellationToken ct) =>
        await sites.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
