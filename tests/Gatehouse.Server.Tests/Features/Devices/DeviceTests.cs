using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Devices;

/// <summary>Adding, reading, changing and listing devices; what needs a connected device is in the other classes here.</summary>
public sealed partial class DeviceTests(DevicesApp app) : IClassFixture<DevicesApp>
{
    private const string Devices = "/api/v1/devices";

    [Fact]
    public async Task Create_Valid_Returns201WithTheClaimCodeOnlyInThatAnswer()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id(), "Front entrance");

        var response = await org.Owner.PostAsJsonAsync(Devices, new
        {
            name = "Front reader",
            model = "F3D100",
            siteId = site.Id(),
            doorIds = new[] { door.Id() },
            wiegandFormat = "H10301",
        });

        var device = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{Devices}/{device.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("Front reader", device.Str("name"));
        Assert.Equal("F3D100", device.Str("model"));
        Assert.Equal(site.Id(), device.Str("siteId"));
        Assert.Equal([door.Id()], device.Strings("doorIds"));
        Assert.Equal("H10301", device.Str("wiegandFormat"));
        Assert.False(device.GetProperty("claimed").GetBoolean());
        Assert.False(device.GetProperty("online").GetBoolean());
        Assert.True(device.IsNull("lastSeenAt"));
        Assert.Equal(0, device.GetProperty("syncVersion").GetInt64());
        Assert.Matches(ClaimCodePattern(), device.Str("claimCode"));
        Assert.Equal(app.Clock.GetUtcNow().AddHours(24), device.GetProperty("claimCodeExpiresAt").GetDateTimeOffset());

        var read = await org.Owner.GetJsonAsync($"{Devices}/{device.Id()}");
        Assert.False(read.TryGetProperty("claimCode", out _));
        // PostgreSQL keeps microseconds, the clock ticks.
        Assert.Equal(device.GetProperty("claimCodeExpiresAt").GetDateTimeOffset(), read.GetProperty("claimCodeExpiresAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        var listed = Assert.Single((await org.Owner.GetJsonAsync(Devices)).GetProperty("items").EnumerateArray());
        Assert.False(listed.TryGetProperty("claimCode", out _));
    }

    [Fact]
    public async Task Create_WithoutWiegandFormatOrDoors_ReadsCardsByCsnAndControlsNothing()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();

        var device = await org.Owner.CreateAsync(Devices, new { name = "Enrollment desk", model = "F3D100", siteId = site.Id() });

        Assert.True(device.IsNull("wiegandFormat"));
        Assert.Empty(device.Strings("doorIds"));
    }

    [Fact]
    public async Task Create_ClaimCodes_AreDifferentEachTime()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();

        var first = await org.Owner.CreateAsync(Devices, new { name = "A", model = "F3D100", siteId = site.Id() });
        var second = await org.Owner.CreateAsync(Devices, new { name = "B", model = "F3D100", siteId = site.Id() });

        Assert.NotEqual(first.Str("claimCode"), second.Str("claimCode"));
    }

    [Theory]
    [InlineData("name", """{"name": " ", "model": "F3D100", "siteId": "SITE"}""")]
    [InlineData("name", """{"model": "F3D100", "siteId": "SITE"}""")]
    [InlineData("name", """{"name": "NAME201", "model": "F3D100", "siteId": "SITE"}""")]
    [InlineData("model", """{"name": "Reader", "model": "X200", "siteId": "SITE"}""")]
    [InlineData("model", """{"name": "Reader", "siteId": "SITE"}""")]
    [InlineData("siteId", """{"name": "Reader", "model": "F3D100"}""")]
    [InlineData("siteId", """{"name": "Reader", "model": "F3D100", "siteId": "UNKNOWN"}""")]
    [InlineData("siteId", """{"name": "Reader", "model": "F3D100", "siteId": "not-an-id"}""")]
    [InlineData("doorIds[1]", """{"name": "Reader", "model": "F3D100", "siteId": "SITE", "doorIds": ["DOOR", "UNKNOWN"]}""")]
    [InlineData("doorIds[0]", """{"name": "Reader", "model": "F3D100", "siteId": "SITE", "doorIds": ["OTHERSITEDOOR"]}""")]
    [InlineData("wiegandFormat", """{"name": "Reader", "model": "F3D100", "siteId": "SITE", "wiegandFormat": "CSN"}""")]
    [InlineData("wiegandFormat", """{"name": "Reader", "model": "F3D100", "siteId": "SITE", "wiegandFormat": "H99999"}""")]
    public async Task Create_BadField_Is400NamingItAndStoresNothing(string field, string body)
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id());
        var otherSiteDoor = await org.Owner.NewDoorAsync();
        var json = body
            .Replace("NAME201", new string('n', 201), StringComparison.Ordinal)
            .Replace("OTHERSITEDOOR", otherSiteDoor.Id(), StringComparison.Ordinal)
            .Replace("UNKNOWN", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("SITE", site.Id(), StringComparison.Ordinal)
            .Replace("DOOR", door.Id(), StringComparison.Ordinal);

        await (await org.Owner.PostRawAsync(Devices, json)).AssertFieldErrorAsync(field);

        Assert.Equal(0, await org.Owner.TotalAsync(Devices));
    }

    [Fact]
    public async Task Create_SeveralBadFields_NamesEachOfThem()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostRawAsync(Devices, """{"name": "", "model": "F3D200", "siteId": null, "wiegandFormat": "CSN"}""");

        foreach (var field in new[] { "name", "model", "siteId", "wiegandFormat" })
        {
            await response.AssertFieldErrorAsync(field);
        }
    }

    [Fact]
    public async Task Create_NameTaken_Is409AndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        await org.Owner.CreateAsync(Devices, new { name = "Front reader", model = "F3D100", siteId = site.Id() });

        var response = await org.Owner.PostAsJsonAsync(Devices, new { name = "Front reader", model = "F3D100", siteId = site.Id() });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await org.Owner.TotalAsync(Devices));
    }

    [Fact]
    public async Task Create_DoorAlreadyControlledByAnotherDevice_Is409NamingTheDoor()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id(), "Loading bay");
        await org.Owner.CreateAsync(Devices, new { name = "Bay reader", model = "F3D100", siteId = site.Id(), doorIds = new[] { door.Id() } });

        var response = await org.Owner.PostAsJsonAsync(Devices, new { name = "Second reader", model = "F3D100", siteId = site.Id(), doorIds = new[] { door.Id() } });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var detail = (await response.ReadJsonAsync()).Text("detail");
        Assert.Contains("Loading bay", detail, StringComparison.Ordinal);
        Assert.Contains("Bay reader", detail, StringComparison.Ordinal);
        Assert.Equal(1, await org.Owner.TotalAsync(Devices));
    }

    [Fact]
    public async Task Patch_ChangesOnlyWhatIsSent()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var front = await org.Owner.NewDoorAsync(site.Id(), "Front");
        var side = await org.Owner.NewDoorAsync(site.Id(), "Side");
        var device = await org.Owner.CreateAsync(Devices, new
        {
            name = "Reader", model = "F3D100", siteId = site.Id(), doorIds = new[] { front.Id() }, wiegandFormat = "H10301",
        });

        var renamed = await (await org.Owner.PatchRawAsync($"{Devices}/{device.Id()}", """{"name": "Front reader"}""")).JsonAsync();
        var moved = await (await org.Owner.PatchJsonAsync($"{Devices}/{device.Id()}", new { doorIds = new[] { front.Id(), side.Id() } })).JsonAsync();
        var csn = await (await org.Owner.PatchRawAsync($"{Devices}/{device.Id()}", """{"wiegandFormat": null}""")).JsonAsync();

        Assert.Equal("Front reader", renamed.Str("name"));
        Assert.Equal([front.Id()], renamed.Strings("doorIds"));
        Assert.Equal("H10301", renamed.Str("wiegandFormat"));
        Assert.Equal(new[] { front.Id(), side.Id() }.Order(), moved.Strings("doorIds").Order());
        Assert.Equal("Front reader", moved.Str("name"));
        Assert.True(csn.IsNull("wiegandFormat"));
        Assert.Equal(2, csn.Strings("doorIds").Length);
        Assert.False(csn.TryGetProperty("claimCode", out _));
    }

    [Fact]
    public async Task Patch_ToAnotherSiteKeepingDoorsOfTheOldOne_Is400NamingTheDoorAndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var north = await org.Owner.NewSiteAsync();
        var south = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(north.Id(), "North gate");
        var device = await org.Owner.CreateAsync(Devices, new { name = "Gate reader", model = "F3D100", siteId = north.Id(), doorIds = new[] { door.Id() } });

        var messages = await (await org.Owner.PatchJsonAsync($"{Devices}/{device.Id()}", new { siteId = south.Id() })).AssertFieldErrorAsync("doorIds[0]");
        var movedWithDoors = await (await org.Owner.PatchJsonAsync($"{Devices}/{device.Id()}", new { siteId = south.Id(), doorIds = Array.Empty<string>() })).JsonAsync();

        Assert.Contains(messages, m => m.Contains("North gate", StringComparison.Ordinal));
        Assert.Equal(south.Id(), movedWithDoors.Str("siteId"));
        Assert.Empty(movedWithDoors.Strings("doorIds"));
    }

    [Fact]
    public async Task Patch_DoorOfAnotherDevice_Is409AndDuplicateNameIs409()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id(), "Vault");
        await org.Owner.CreateAsync(Devices, new { name = "Vault reader", model = "F3D100", siteId = site.Id(), doorIds = new[] { door.Id() } });
        var other = await org.Owner.CreateAsync(Devices, new { name = "Other", model = "F3D100", siteId = site.Id() });

        await (await org.Owner.PatchJsonAsync($"{Devices}/{other.Id()}", new { doorIds = new[] { door.Id() } })).AssertStatusAsync(HttpStatusCode.Conflict);
        await (await org.Owner.PatchJsonAsync($"{Devices}/{other.Id()}", new { name = "Vault reader" })).AssertStatusAsync(HttpStatusCode.Conflict);
        await (await org.Owner.PatchRawAsync($"{Devices}/{other.Id()}", """{"doorIds": null}""")).AssertFieldErrorAsync("doorIds");

        var unchanged = await org.Owner.GetJsonAsync($"{Devices}/{other.Id()}");
        Assert.Equal("Other", unchanged.Str("name"));
        Assert.Empty(unchanged.Strings("doorIds"));
    }

    [Fact]
    public async Task List_IsPagedByName()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        foreach (var name in new[] { "Charlie", "Alpha", "Bravo" })
        {
            await org.Owner.CreateAsync(Devices, new { name, model = "F3D100", siteId = site.Id() });
        }

        var first = await org.Owner.GetJsonAsync($"{Devices}?pageSize=2");
        var second = await org.Owner.GetJsonAsync($"{Devices}?page=2&pageSize=2");

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["Alpha", "Bravo"], first.GetProperty("items").EnumerateArray().Select(d => d.Str("name")));
        Assert.Equal(["Charlie"], second.GetProperty("items").EnumerateArray().Select(d => d.Str("name")));
        await (await org.Owner.GetAsync($"{Devices}?pageSize=0")).AssertFieldErrorAsync("pageSize");
    }

    [Fact]
    public async Task AnotherOrganizationsDevice_Is404AndItsSiteOrDoorIs400()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirSite = await theirs.Owner.NewSiteAsync();
        var theirDoor = await theirs.Owner.NewDoorAsync(theirSite.Id());
        var theirDevice = await theirs.Owner.CreateAsync(Devices, new { name = "Theirs", model = "F3D100", siteId = theirSite.Id() });
        var mySite = await mine.Owner.NewSiteAsync();
        var url = $"{Devices}/{theirDevice.Id()}";

        await (await mine.Owner.GetAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchJsonAsync(url, new { name = "Mine now" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PostAsync($"{url}/claim-code", null)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PostAsJsonAsync(Devices, new { name = "X", model = "F3D100", siteId = theirSite.Id() })).AssertFieldErrorAsync("siteId");
        await (await mine.Owner.PostAsJsonAsync(Devices, new { name = "X", model = "F3D100", siteId = mySite.Id(), doorIds = new[] { theirDoor.Id() } }))
            .AssertFieldErrorAsync("doorIds[0]");

        Assert.Equal(0, await mine.Owner.TotalAsync(Devices));
        Assert.Equal("Theirs", (await theirs.Owner.GetJsonAsync(url)).Str("name"));
    }

    [Fact]
    public async Task Create_IsAuditedWithoutTheClaimCode()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();

        var device = await org.Owner.CreateAsync(Devices, new { name = "Audited reader", model = "F3D100", siteId = site.Id() });

        var audit = await org.Owner.GetJsonAsync($"/api/v1/audit?entityType=device&entityId={device.Id()}");
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("created", entry.Str("action"));
        Assert.Equal(org.OwnerEmail, entry.Str("actor"));
        var hash = entry.GetProperty("changes").EnumerateArray().Single(c => c.Str("field") == "claimCodeHash");
        Assert.True(hash.GetProperty("redacted").GetBoolean());
        var text = entry.GetRawText();
        Assert.DoesNotContain(device.Str("claimCode"), text, StringComparison.Ordinal);
        Assert.DoesNotContain(device.Str("claimCode").Replace("-", "", StringComparison.Ordinal), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_ReadsDevicesButCannotAddOne()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        await org.Owner.CreateAsync(Devices, new { name = "Reader", model = "F3D100", siteId = site.Id() });
        var viewer = await org.MemberAsync("viewer");

        Assert.Equal(1, await viewer.TotalAsync(Devices));
        await (await viewer.PostAsJsonAsync(Devices, new { name = "Mine", model = "F3D100", siteId = site.Id() })).AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [GeneratedRegex("^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")]
    private static partial Regex ClaimCodePattern();
}
