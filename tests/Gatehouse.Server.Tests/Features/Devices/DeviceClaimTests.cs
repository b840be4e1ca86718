using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using MQTTnet;

namespace Gatehouse.Server.Tests.Features.Devices;

/// <summary>A device claiming itself with its one-time code, and losing its credentials when re-issued a code or removed.</summary>
public sealed class DeviceClaimTests(DevicesApp app) : IClassFixture<DevicesApp>
{
    private const string Claim = "/api/v1/devices/claim";

    [Fact]
    public async Task Claim_ValidCode_AnswersTheDevicesCredentialsWhichLetItIn()
    {
        var org = await app.NewOrganizationAsync();
        var device = await NewDeviceAsync(org, "Front reader");

        var response = await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = device.Str("claimCode"), softwareVersion = "1.2.3" });

        var claim = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(device.Id(), claim.Str("deviceId"));
        Assert.Equal(org.Id, claim.Str("organizationId"));
        Assert.Equal("Front reader", claim.Str("name"));
        Assert.Equal("F3D100", claim.Str("model"));
        Assert.Equal(device.Id(), claim.Str("mqttUsername"));
        Assert.Equal(43, claim.Str("mqttPassword").Length);
        Assert.Equal(app.Broker.Port, claim.GetProperty("broker").GetProperty("port").GetInt32());
        Assert.False(string.IsNullOrEmpty(claim.GetProperty("broker").Str("host")));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(device.Id(), claim.Str("mqttPassword")));

        var read = await org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id()}");
        Assert.True(read.GetProperty("claimed").GetBoolean());
        Assert.True(read.IsNull("claimCodeExpiresAt"));
        Assert.Equal(app.Clock.GetUtcNow(), read.GetProperty("claimedAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Claim_SameCodeTwice_IsRefusedTheSecondTime()
    {
        var org = await app.NewOrganizationAsync();
        var device = await NewDeviceAsync(org);
        var body = new { claimCode = device.Str("claimCode"), softwareVersion = "1.0" };
        await (await app.Anonymous().PostAsJsonAsync(Claim, body)).AssertStatusAsync(HttpStatusCode.OK);

        var second = await app.Anonymous().PostAsJsonAsync(Claim, body);

        await AssertRefusedAsync(second);
    }

    [Fact]
    public async Task Claim_Expired_UnknownOrUsed_GetTheSameRefusal()
    {
        var org = await app.NewOrganizationAsync();
        var expiring = await NewDeviceAsync(org, "Expiring");
        app.Clock.Advance(TimeSpan.FromHours(24));

        await AssertRefusedAsync(await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = expiring.Str("claimCode"), softwareVersion = "1.0" }));
        await AssertRefusedAsync(await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = "ABCD-EFGH-JKLM-NPQR", softwareVersion = "1.0" }));
        using var owner = await app.SignInAsync(org.OwnerEmail, GatehouseApp.OwnerPassword);
        Assert.False((await owner.GetJsonAsync($"/api/v1/devices/{expiring.Id()}")).GetProperty("claimed").GetBoolean());
    }

    [Fact]
    public async Task Claim_CodeTypedInLowerCaseWithSpaces_IsTheSameCode()
    {
        var org = await app.NewOrganizationAsync();
        var device = await NewDeviceAsync(org);
        var typed = device.Str("claimCode").Replace('-', ' ').ToLowerInvariant();

        var response = await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = typed, softwareVersion = "1.0" });

        Assert.Equal(device.Id(), (await response.JsonAsync(HttpStatusCode.OK)).Str("deviceId"));
    }

    [Fact]
    public async Task Claim_SoftwareVersionWithALineBreak_Is400NamingItSoNoLogLineIsForged()
    {
        await (await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = "ABCD-EFGH-JKLM-NPQR", softwareVersion = "1.0\r\nINFO Device claimed by admin" }))
            .AssertFieldErrorAsync("softwareVersion");
    }

    [Fact]
    public async Task Claim_WithoutACode_Is400NamingIt()
    {
        await (await app.Anonymous().PostAsJsonAsync(Claim, new { softwareVersion = "1.0" })).AssertFieldErrorAsync("claimCode");
    }

    [Fact]
    public async Task Claim_IsAuditedWithoutAnySecret()
    {
        var org = await app.NewOrganizationAsync();
        var device = await NewDeviceAsync(org);
        var claim = await (await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = device.Str("claimCode"), softwareVersion = "1.0" }))
            .JsonAsync(HttpStatusCode.OK);

        var audit = await org.Owner.GetJsonAsync($"/api/v1/audit?entityType=device&entityId={device.Id()}");

        var entry = audit.GetProperty("items")[0];
        Assert.Equal("updated", entry.Str("action"));
        Assert.Contains(entry.GetProperty("changes").EnumerateArray(), c => c.Str("field") == "secretHash" && c.GetProperty("redacted").GetBoolean());
        var text = audit.GetRawText();
        Assert.DoesNotContain(claim.Str("mqttPassword"), text, StringComparison.Ordinal);
        Assert.DoesNotContain(device.Str("claimCode"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewClaimCode_RevokesTheClaimedDevicesCredentialsAtOnce()
    {
        var org = await app.NewOrganizationAsync();
        var device = await NewDeviceAsync(org);
        var claim = await (await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = device.Str("claimCode"), softwareVersion = "1.0" }))
            .JsonAsync(HttpStatusCode.OK);
        using var connected = await ConnectedClientAsync(device.Id(), claim.Str("mqttPassword"));

        var reissued = await (await org.Owner.PostAsync($"/api/v1/devices/{device.Id()}/claim-code", null)).JsonAsync();

        await TestDevice.WaitUntilAsync(() => Task.FromResult(!connected.IsConnected), "the old session to end");
        Assert.NotEqual(MqttClientConnectResultCode.Success, await ConnectAsync(device.Id(), claim.Str("mqttPassword")));
        Assert.False(reissued.GetProperty("claimed").GetBoolean());
        Assert.NotEqual(device.Str("claimCode"), reissued.Str("claimCode"));
        await AssertRefusedAsync(await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = device.Str("claimCode"), softwareVersion = "1.0" }));

        var again = await (await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = reissued.Str("claimCode"), softwareVersion = "1.1" }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(claim.Str("mqttPassword"), again.Str("mqttPassword"));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(device.Id(), again.Str("mqttPassword")));
    }

    [Fact]
    public async Task Delete_RevokesTheDevicesCredentialsAtOnce()
    {
        var org = await app.NewOrganizationAsync();
        var device = await NewDeviceAsync(org);
        var claim = await (await app.Anonymous().PostAsJsonAsync(Claim, new { claimCode = device.Str("claimCode"), softwareVersion = "1.0" }))
            .JsonAsync(HttpStatusCode.OK);
        using var connected = await ConnectedClientAsync(device.Id(), claim.Str("mqttPassword"));

        await (await org.Owner.DeleteAsync($"/api/v1/devices/{device.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await TestDevice.WaitUntilAsync(() => Task.FromResult(!connected.IsConnected), "the removed device's session to end");
        Assert.NotEqual(MqttClientConnectResultCode.Success, await ConnectAsync(device.Id(), claim.Str("mqttPassword")));
        await (await org.Owner.GetAsync($"/api/v1/devices/{device.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("invalid or expired claim code", (await response.ReadJsonAsync()).Text("detail"), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<JsonElement> NewDeviceAsync(TestOrganization org, string? name = null)
    {
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id());
        return await org.Owner.CreateAsync("/api/v1/devices", new
        {
            name = name ?? Api.Unique("Reader"), model = "F3D100", siteId = site.Id(), doorIds = new[] { door.Id() },
        });
    }

    /// <summary>Connects to the app's broker as the device would; the broker's answer.</summary>
    private async Task<MqttClientConnectResultCode> ConnectAsync(string deviceId, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(deviceId, password));
            await client.DisconnectAsync();
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            // A refused connect; the tests only tell success from refusal.
            return MqttClientConnectResultCode.NotAuthorized;
        }
    }

    private async Task<IMqttClient> ConnectedClientAsync(string deviceId, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(deviceId, password));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private MqttClientOptions Options(string deviceId, string password) => new MqttClientOptionsBuilder()
        .WithTcpServer(app.Broker.Host, app.Broker.Port)
        .WithClientId(deviceId)
        .WithCredentials(deviceId, password)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithTimeout(TimeSpan.FromSeconds(10))
        .Build();
}

/// <summary>The server with a claim limit of two a minute per address.</summary>
public sealed class ClaimLimitApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("Gatehouse:Devices:ClaimAttemptsPerMinute", "2");
}

public sealed class DeviceClaimLimitTests(ClaimLimitApp app) : IClassFixture<ClaimLimitApp>
{
    [Fact]
    public async Task Claim_TooManyFromOneAddress_Is429WithRetryAfter()
    {
        var client = app.Anonymous();
        var body = new { claimCode = "ABCD-EFGH-JKLM-NPQR", softwareVersion = "1.0" };

        await (await client.PostAsJsonAsync("/api/v1/devices/claim", body)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsJsonAsync("/api/v1/devices/claim", body)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        var third = await client.PostAsJsonAsync("/api/v1/devices/claim", body);

        await third.AssertStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(third.Headers.RetryAfter);
    }
}
