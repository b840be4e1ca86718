using System.Net;
using Gatehouse.Server.Tests.Features.Demo;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Devices;

/// <summary>The demo's device: an unclaimed F3D100 at the main entrance, claimed through a fresh claim code.</summary>
public sealed class DemoDeviceTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Fact]
    public async Task Demo_SeedsAnUnclaimedFrontEntranceReaderForTheMainEntrance()
    {
        using var owner = await app.SystemAdminAsync();
        var doors = (await owner.GetJsonAsync("/api/v1/doors?pageSize=100")).GetProperty("items").EnumerateArray().ToList();
        var mainEntrance = doors.Single(d => d.Str("name") == "Main Entrance");

        var device = Assert.Single((await owner.GetJsonAsync("/api/v1/devices")).GetProperty("items").EnumerateArray());

        Assert.Equal("Front entrance reader", device.Str("name"));
        Assert.Equal("F3D100", device.Str("model"));
        Assert.Equal(mainEntrance.Str("siteId"), device.Str("siteId"));
        Assert.Equal([mainEntrance.Id()], device.Strings("doorIds"));
        Assert.Equal("H10301", device.Str("wiegandFormat"));
        Assert.False(device.GetProperty("claimed").GetBoolean());
        Assert.False(device.TryGetProperty("claimCode", out _));
    }

    [Fact]
    public async Task Demo_DeviceGetsAFreshClaimCodeOnRequest()
    {
        using var owner = await app.SystemAdminAsync();
        var device = (await owner.GetJsonAsync("/api/v1/devices")).GetProperty("items")[0];

        var reissued = await (await owner.PostAsync($"/api/v1/devices/{device.Id()}/claim-code", null)).JsonAsync(HttpStatusCode.OK);

        Assert.False(string.IsNullOrEmpty(reissued.Str("claimCode")));
        Assert.Equal(app.Clock.GetUtcNow().AddHours(24), reissued.GetProperty("claimCodeExpiresAt").GetDateTimeOffset());
    }
}
