using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

using Gatehouse.Server.Tests.Features.CloudKeys;
using Gatehouse.Server.Tests.Features.Mobile;

namespace Gatehouse.Server.Tests.Features.Demo;

/// <summary>The server started with <c>Gatehouse:Demo=true</c>.</summary>
public sealed class DemoApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Demo", "true");
    }
}

public sealed class DemoTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Fact]
    public async Task Demo_Enabled_SeedsSitesInTwoTimeZonesWithDoorsSchedulesAndGroups()
    {
        using var owner = await app.SystemAdminAsync();

        var sites = await owner.GetJsonAsync("/api/v1/sites");
        var doors = await owner.GetJsonAsync("/api/v1/doors");
        var schedules = await owner.GetJsonAsync("/api/v1/schedules");
        var groups = await owner.GetJsonAsync("/api/v1/access-groups");

        Assert.Equal(["America/New_York", "Europe/London"], Items(sites).Select(s => s.Str("timeZone")).Order());
        Assert.InRange(Total(doors), 5, 6);
        Assert.Equal(3, Total(schedules));
        Assert.Contains(Items(schedules), s => s.GetProperty("holidays").GetArrayLength() > 0);
        Assert.InRange(Total(groups), 3, 4);
    }

    [Fact]
    public async Task Demo_Enabled_SeedsTwelveUsersWithCardsOneSuspendedOneCardExpired()
    {
        using var owner = await app.SystemAdminAsync();
        var now = app.Clock.GetUtcNow();

        var users = Items(await owner.GetJsonAsync("/api/v1/users?pageSize=100"));
        var credentials = new List<JsonElement>();
        foreach (var user in users)
        {
            credentials.AddRange(Items(await owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials")));
        }

        var cards = credentials.Where(c => c.Str("type") == "card").ToList();

        Assert.Equal(12, users.Count);
        Assert.Single(users, u => u.Str("status") == "suspended");
        Assert.All(users, u => Assert.False(string.IsNullOrWhiteSpace(u.Str("lastName"))));
        Assert.Equal(12, cards.Count);
        Assert.Contains(cards, c => c.Str("format") == "H10301");
        Assert.Contains(cards, c => c.Str("format") == "CSN");
        Assert.Single(cards, c => !c.IsNull("validUntil") && c.GetProperty("validUntil").GetDateTimeOffset() < now);
    }

    [Fact]
    public async Task Demo_Enabled_SeedsACloudKeyForTheFirstUserWhoseEmailHoldsAWorkingLinkAndPin()
    {
        using var owner = await app.SystemAdminAsync();
        var olivia = Assert.Single(Items(await owner.GetJsonAsync("/api/v1/users?search=olivia")));

        var key = Assert.Single(Items(await owner.GetJsonAsync($"/api/v1/users/{olivia.Id()}/credentials")), c => c.Str("type") == "cloudKey");
        var received = await app.ReceivedAsync(key.Id());

        var page = await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}");
        Assert.Equal(("Olivia", "active"), (page.Str("firstName"), page.Str("status")));
        Assert.Contains(page.GetProperty("doors").EnumerateArray(), d => d.Str("name") == "Main Entrance" && d.GetProperty("openNow").GetBoolean());
    }

    [Fact]
    public async Task Demo_Enabled_SeedsAnActivePhoneAndAPendingOneWhoseWelcomeEmailActivatesIt()
    {
        using var owner = await app.SystemAdminAsync();
        var credentials = new List<JsonElement>();
        foreach (var user in Items(await owner.GetJsonAsync("/api/v1/users?pageSize=100")))
        {
            credentials.AddRange(Items(await owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials")));
        }

        var phones = credentials.Where(c => c.Str("type") == "mobile").ToList();
        Assert.Equal(["active", "pending"], phones.Select(p => p.GetProperty("mobile").Str("state")).Order());
        var pending = phones.Single(p => p.GetProperty("mobile").Str("state") == "pending");
        var welcome = await app.WelcomeAsync(pending.Id());
        using var phone = new Mobile.TestPhone(app.Anonymous());
        await phone.ActivatedAsync(welcome.Code);
        var doors = await (await phone.DoorsAsync()).JsonAsync();
        Assert.NotEmpty(doors.GetProperty("doors").EnumerateArray());
    }

    [Fact]
    public async Task Demo_Enabled_SeedsAWeekOfEventsWithGrantsAndDenials()
    {
        using var owner = await app.SystemAdminAsync();
        var now = app.Clock.GetUtcNow();

        var events = Items(await owner.GetJsonAsync("/api/v1/events?pageSize=500"));

        Assert.InRange(events.Count, 150, 250);
        Assert.All(events, e => Assert.InRange(e.GetProperty("occurredAt").GetDateTimeOffset(), now.AddDays(-8), now));
        var reasons = events.Select(e => e.Str("reason")).ToHashSet();
        Assert.Contains("granted", reasons);
        Assert.Contains("unknownCredential", reasons);
        Assert.Contains("userSuspended", reasons);
        Assert.Contains("outsideSchedule", reasons);
        var granted = events.Count(e => e.GetProperty("granted").GetBoolean());
        var mix = string.Join(", ", events.GroupBy(e => e.Str("reason")).Select(g => $"{g.Key} {g.Count()}"));
        Assert.True(granted >= events.Count * 0.6 && granted <= events.Count * 0.95, $"Mostly grants, with denials: {mix}");
    }

    [Fact]
    public async Task Demo_Events_AgreeWithTheDecisionEngine()
    {
        using var owner = await app.SystemAdminAsync();
        var events = Items(await owner.GetJsonAsync("/api/v1/events?pageSize=500"))
            .Where(e => !e.IsNull("credentialId"))
            .GroupBy(e => e.Str("reason"))
            .Select(g => g.First())
            .ToList();

        Assert.True(events.Count >= 3, "The demo's history should show several reasons.");
        foreach (var e in events)
        {
            var card = await owner.GetJsonAsync($"/api/v1/credentials/{e.Str("credentialId")}");
            object presented = card.Str("format") == "CSN"
                ? new { csn = card.Str("csn") }
                : new { format = card.Str("format"), facilityCode = card.GetProperty("facilityCode").GetInt64(), cardNumber = card.GetProperty("cardNumber").GetInt64() };

            var decision = await (await owner.PostAsJsonAsync("/api/v1/access/decisions", new
            {
                doorId = e.Str("doorId"),
                at = e.GetProperty("occurredAt").GetDateTimeOffset(),
                card = presented,
            })).JsonAsync();

            Assert.Equal(e.Str("reason"), decision.Str("reason"));
            Assert.Equal(e.Str("userId"), decision.Str("userId"));
        }
    }

    [Fact]
    public async Task Demo_Seeding_IsInTheAuditLogAsTheSystem()
    {
        using var owner = await app.SystemAdminAsync();

        var sites = await owner.GetJsonAsync("/api/v1/audit?entityType=site&actor=system");
        var cards = await owner.GetJsonAsync("/api/v1/audit?entityType=cardCredential&actor=system&pageSize=100");

        Assert.Equal(2, Total(sites));
        Assert.Equal(12, Total(cards));
        Assert.True((await owner.GetJsonAsync("/api/v1/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Demo_SecondStart_SeedsNothingAgain()
    {
        using var owner = await app.SystemAdminAsync();
        var users = await owner.TotalAsync("/api/v1/users");
        var events = await owner.TotalAsync("/api/v1/events");

        // A second server over the same store, as after a restart.
        using var restarted = app.WithWebHostBuilder(_ => { });
        using var client = restarted.CreateClient();
        var token = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { email = GatehouseApp.SystemAdminEmail, password = GatehouseApp.SystemAdminPassword }))
            .JsonAsync();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.Str("accessToken"));

        Assert.Equal(users, await client.TotalAsync("/api/v1/users"));
        Assert.Equal(events, await client.TotalAsync("/api/v1/events"));
        Assert.Equal(2, await client.TotalAsync("/api/v1/sites"));
    }

    [Fact]
    public async Task Demo_OtherOrganizations_GetNothingOfIt()
    {
        var org = await app.NewOrganizationAsync();

        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/sites"));
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/events"));
    }

    private static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    private static int Total(JsonElement page) => page.GetProperty("total").GetInt32();
}

public sealed class NoDemoTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    [Fact]
    public async Task Demo_NotEnabled_SeedsNothingButTheOwner()
    {
        using var owner = await app.SystemAdminAsync();

        Assert.Equal(0, await owner.TotalAsync("/api/v1/sites"));
        Assert.Equal(0, await owner.TotalAsync("/api/v1/schedules"));
        Assert.Equal(0, await owner.TotalAsync("/api/v1/users"));
        Assert.Equal(0, await owner.TotalAsync("/api/v1/events"));
    }
}
