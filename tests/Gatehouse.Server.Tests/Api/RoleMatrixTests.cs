using System.Net;
using System.Text;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Api;

/// <summary>
/// The role rules in one place, over every endpoint the server maps, so a new endpoint is covered the
/// day it is added.
/// </summary>
public sealed class RoleMatrixTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    // Public by design: signing in, a device claiming itself with its one-time code, and the pages a Cloud Key holder opens without an account.
    private static readonly string[] Public = ["/api/v1/auth/token", "/api/v1/devices/claim", "/api/v1/public/"];

    // Well below what the server maps today (a floor, not a census): a lost route group shows here.
    private const int MinimumChangingEndpoints = 30;
    private const int MinimumReadingEndpoints = 20;

    [Fact]
    public void EveryChangingEndpoint_OutsideThePublicOnes_RequiresAnAccount()
    {
        var endpoints = ChangingEndpoints(includePublic: true);
        // The matrix sees the public endpoints and the rest alike; an empty list would pass on nothing.
        Assert.Contains(endpoints, e => e is { Method: "POST", Pattern: "/api/v1/auth/token" });
        Assert.Contains(endpoints, e => e is { Method: "POST", Pattern: "/api/v1/admins" });
        Assert.True(endpoints.Count >= MinimumChangingEndpoints, $"Only {endpoints.Count} changing endpoints were found.");

        var anonymous = endpoints
            .Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null && !IsPublic(e.Pattern))
            .Select(e => $"{e.Method} {e.Pattern}")
            .ToList();

        Assert.Empty(anonymous);
    }

    [Fact]
    public async Task EveryChangingEndpoint_IsRefusedToAViewerWith403()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");
        // One's own sessions are one's own: every role may end them.
        var endpoints = ChangingEndpoints(includePublic: false).Where(e => !e.Pattern.StartsWith("/api/v1/account/", StringComparison.Ordinal)).ToList();
        Assert.Contains(endpoints, e => e is { Method: "POST", Pattern: "/api/v1/admins" });

        var allowed = new List<string>();
        foreach (var (method, pattern, endpoint) in endpoints)
        {
            var url = Fill(endpoint.RoutePattern);
            var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            var response = await viewer.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                allowed.Add($"{method} {pattern} → {(int)response.StatusCode}");
            }
        }

        Assert.Empty(allowed);
    }

    [Fact]
    public async Task EveryReadingEndpoint_IsOpenToAViewer()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");
        var refused = new List<string>();
        // Reads for the system administrator alone (any organization by ID), and the outbox, which holds the
        // links and PINs sent to users and is for admins, are the exceptions.
        var readable = ApiEndpoints()
            .Where(e => Methods(e).Contains("GET") || e.Metadata.GetMetadata<ReadsOnlyMetadata>() is not null)
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is Policies.SystemAdministrator or Policies.Admin))
            .ToList();
        // An empty list would pass on nothing: the matrix must see the reads a viewer uses every day.
        Assert.Contains(readable, e => e.RoutePattern.RawText?.TrimEnd('/') == "/api/v1/users");
        Assert.Contains(readable, e => e.RoutePattern.RawText?.TrimEnd('/') == "/api/v1/doors");
        Assert.True(readable.Count >= MinimumReadingEndpoints, $"Only {readable.Count} reading endpoints were found.");
        foreach (var endpoint in readable)
        {
            var method = Methods(endpoint).Contains("GET") ? HttpMethod.Get : HttpMethod.Post;
            var request = new HttpRequestMessage(method, Fill(endpoint.RoutePattern));
            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            var response = await viewer.SendAsync(request);
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            {
                refused.Add($"{method} {endpoint.RoutePattern.RawText} → {(int)response.StatusCode}");
            }
        }

        Assert.Empty(refused);
    }

    private List<(string Method, string Pattern, RouteEndpoint Endpoint)> ChangingEndpoints(bool includePublic) =>
    [
        .. from endpoint in ApiEndpoints()
           from method in Methods(endpoint)
           where method is not ("GET" or "HEAD" or "OPTIONS")
           where endpoint.Metadata.GetMetadata<ReadsOnlyMetadata>() is null
           let pattern = endpoint.RoutePattern.RawText!.TrimEnd('/')
           where includePublic || !IsPublic(pattern)
           select (method, pattern, endpoint),
    ];

    private IEnumerable<RouteEndpoint> ApiEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true);

    private static IReadOnlyList<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];

    private static bool IsPublic(string pattern) => Public.Any(p => pattern.StartsWith(p, StringComparison.Ordinal));

    /// <summary>A URL for the pattern with a fresh id in every parameter (ids are GUIDs; text parameters take one too).</summary>
    private static string Fill(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart => Guid.NewGuid().ToString(),
            _ => "",
        }))));
}
