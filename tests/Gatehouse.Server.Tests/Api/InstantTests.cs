using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Api;

public sealed class InstantTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Theory]
    [InlineData("2026-03-09T12:00:00")]
    [InlineData("2026-03-09")]
    [InlineData("yesterday")]
    public async Task Instant_WithoutOffset_Is400NamingTheFieldAndStoresNothing(string validFrom)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", status = "active", validFrom, accessGroupIds = Array.Empty<string>() });

        var messages = await response.AssertFieldErrorAsync("validFrom");
        Assert.Contains(messages, m => m.Contains("offset", StringComparison.Ordinal));
        var list = await org.Owner.GetFromJsonAsync<Dictionary<string, object>>("/api/v1/users");
        Assert.Equal("0", list!["total"].ToString());
    }

    [Theory]
    [InlineData("2026-03-09T12:00:00Z", "2026-03-09T12:00:00+00:00")]
    [InlineData("2026-03-09T13:00:00+01:00", "2026-03-09T12:00:00+00:00")]
    public async Task Instant_WithOffset_IsStoredAsTheSameMomentInUtc(string validFrom, string expected)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", status = "active", validFrom, accessGroupIds = Array.Empty<string>() });

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var user = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        Assert.Equal(DateTimeOffset.Parse(expected), DateTimeOffset.Parse(user!["validFrom"].ToString()!));
    }
}
