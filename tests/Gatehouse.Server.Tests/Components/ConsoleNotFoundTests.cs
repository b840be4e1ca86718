using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Features.Devices;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;

namespace Gatehouse.Server.Tests.Components;

/// <summary>
/// Every console page that names an item in its address answers 404 with the not-found page for an item
/// that does not exist, one of another organization, or an address that is no ID at all; never a 500.
/// The pages are found by their <c>@page</c> routes, so a new page is covered without being listed.
/// </summary>
public sealed partial class ConsoleNotFoundTests(DevicesApp app) : IClassFixture<DevicesApp>
{
    /// <summary>The console's routes that take a parameter, such as <c>/doors/{Id:guid}</c>.</summary>
    public static TheoryData<string> RoutesWithParameters() =>
        new([.. ConsoleRoutes().Where(t => t.Contains('{', StringComparison.Ordinal))]);

    [Fact]
    public void Routes_AreFoundByReflection()
    {
        Assert.True(RoutesWithParameters().Count >= 10, "The console's routes with parameters were not found by reflection.");
        Assert.True(RoutesWithoutParameters().Count >= 10, "The console's routes without parameters were not found by reflection.");
    }

    [Theory]
    [MemberData(nameof(RoutesWithParameters))]
    public async Task Page_WithAnUnknownId_IsNotFound(string route)
    {
        var (org, _) = await ScenesAsync();
        using var console = await AdminConsoleAsync(org);

        await AssertNotFoundAsync(console, Fill(route, _ => Guid.NewGuid().ToString()));
    }

    [Theory]
    [MemberData(nameof(RoutesWithParameters))]
    public async Task Page_WithAValueThatIsNoId_IsNotFound(string route)
    {
        var (org, _) = await ScenesAsync();
        using var console = await AdminConsoleAsync(org);

        // No page's route matches, so the answer is the server's plain 404 rather than the console's page.
        await AssertNotFoundAsync(console, Fill(route, _ => "not-an-id"), withPage: false);
        await AssertNotFoundAsync(console, Fill(route, _ => "00000000-0000-0000-0000-00000000000g"), withPage: false);
    }

    [Theory]
    [MemberData(nameof(RoutesWithParameters))]
    public async Task Page_WithAnIdOfAnotherOrganization_IsNotFound(string route)
    {
        var (org, other) = await ScenesAsync();
        using var console = await AdminConsoleAsync(org);

        // The page's own item is the other organization's; any other ID in the address is of the caller's own.
        var own = await Scene.CreateAsync(org);
        Assert.True(other.IdsFor(route) is not null, $"Say which item of another organization {route} shows, in {nameof(Scene)}.{nameof(Scene.IdsFor)}.");
        var (foreignId, foreignParent) = other.IdsFor(route)!.Value;
        var ownParent = own.IdsFor(route)!.Value.Parent;
        await AssertNotFoundAsync(console, Fill(route, p => p == "Id" ? foreignId : ownParent!));
        await AssertNotFoundAsync(console, Fill(route, p => p == "Id" ? foreignId : foreignParent!));
    }

    /// <summary>The console's routes without parameters (lists, the explorer, events …).</summary>
    public static TheoryData<string> RoutesWithoutParameters() =>
        new([.. ConsoleRoutes().Where(t => !t.Contains('{', StringComparison.Ordinal) && t != "/account/sign-in")]);

    [Theory]
    [MemberData(nameof(RoutesWithoutParameters))]
    public async Task Page_WithUnknownForeignOrMalformedIdsInItsQuery_NeverFails(string route)
    {
        var (org, other) = await ScenesAsync();
        using var console = await AdminConsoleAsync(org);
        string[] names = ["doorId", "userId", "credentialId", "siteId", "enrollment", "page", "at", "from", "to"];

        foreach (var value in new[] { Guid.NewGuid().ToString(), "not-an-id", "-1", "99999999999", other.DoorId, other.UserId, other.CardId, other.SiteId })
        {
            var url = route + "?" + string.Join('&', names.Select(n => $"{n}={Uri.EscapeDataString(value)}"));
            var response = await console.GetAsync(url);
            Assert.True((int)response.StatusCode < 500, $"GET {url} answered {(int)response.StatusCode}.");
            Assert.DoesNotContain(other.Name, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CredentialPage_OfAnotherUserOfTheSameOrganization_IsNotFound()
    {
        var (org, _) = await ScenesAsync();
        var own = await Scene.CreateAsync(org);
        var someoneElse = await org.Owner.NewUserAsync("Bo", "Berg");
        using var console = await AdminConsoleAsync(org);

        await AssertNotFoundAsync(console, $"/users/{someoneElse.Id()}/credentials/{own.CardId}");
    }

    private static List<string> ConsoleRoutes() =>
        [.. typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => r.Template)
            .Order(StringComparer.Ordinal)];

    /// <summary>The console signed in as an administrator (role <c>admin</c>) of the organization.</summary>
    private async Task<HttpClient> AdminConsoleAsync(TestOrganization org)
    {
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        await org.Owner.CreateAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role = "admin" });
        return await app.SignInToConsoleAsync(email, GatehouseApp.OwnerPassword);
    }

    private async Task<(TestOrganization Org, Scene Other)> ScenesAsync()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        return (org, await Scene.CreateAsync(other));
    }

    private static async Task AssertNotFoundAsync(HttpClient console, string url, bool withPage = true)
    {
        var response = await console.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {url} answered {(int)response.StatusCode}:\n{body[..Math.Min(body.Length, 2000)]}");
        if (withPage)
        {
            Assert.Contains("There is nothing here", body, StringComparison.Ordinal);
        }
    }

    private static string Fill(string route, Func<string, string> value) =>
        RouteParameter().Replace(route, m => value(m.Groups[1].Value));

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex RouteParameter();

    /// <summary>One of each kind of item an organization's console pages show.</summary>
    private sealed record Scene(string Name, string AdminId, string SiteId, string DoorId, string ScheduleId, string GroupId, string UserId, string CardId, string DeviceId)
    {
        public static async Task<Scene> CreateAsync(TestOrganization org)
        {
            // The door and the user carry the scene's own name, which no page of another organization may show.
            var name = Features.Api.Unique("Scene");
            var admin = await org.Owner.CreateAsync("/api/v1/admins", new { email = $"admin-{Guid.NewGuid():N}@example.com", password = GatehouseApp.OwnerPassword, role = "admin" });
            var site = await org.Owner.NewSiteAsync();
            var door = await org.Owner.NewDoorAsync(site.Id(), name);
            var schedule = await org.Owner.NewScheduleAsync();
            var group = await org.Owner.NewAccessGroupAsync(schedule.Id(), [door.Id()]);
            var user = await org.Owner.NewUserAsync("Ana", name, [group.Id()]);
            var card = await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cards", new { format = "CSN", csn = RandomCsn() });
            var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = Features.Api.Unique("Reader"), model = "F3D100", siteId = site.Id(), doorIds = new[] { door.Id() } });
            return new Scene(name, admin.Id(), site.Id(), door.Id(), schedule.Id(), group.Id(), user.Id(), card.Id(), device.Id());
        }

        /// <summary>The item a route shows (<c>Id</c>) and, for a nested route, its parent's ID; null for a route not listed here.</summary>
        public (string Id, string? Parent)? IdsFor(string route) => route switch
        {
            "/access-groups/{Id:guid}" => (GroupId, null),
            "/devices/{Id:guid}" or "/devices/{Id:guid}/edit" => (DeviceId, null),
            "/doors/{Id:guid}" => (DoorId, null),
            "/schedules/{Id:guid}" => (ScheduleId, null),
            "/settings/admins/{Id:guid}" => (AdminId, null),
            "/settings/sites/{Id:guid}" => (SiteId, null),
            "/users/{Id:guid}" or "/users/{Id:guid}/edit" or "/users/{Id:guid}/faces/new" or "/users/{Id:guid}/faces/invitations" => (UserId, null),
            "/users/{UserId:guid}/credentials/{Id:guid}" => (CardId, UserId),
            _ => null,
        };

        private static string RandomCsn() => Convert.ToHexString(Guid.NewGuid().ToByteArray()[..7]);
    }
}
