using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Device.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>The agent against the real server and its broker: claim, sync, decisions, events, commands.</summary>
[Trait("Category", "Device")]
public sealed class DeviceAgentEndToEndTests(DeviceTestbed testbed) : IClassFixture<DeviceTestbed>
{
    [Fact]
    public async Task Claim_DeviceComesOnlineWithItsSnapshotAndTheServerSeesIt()
    {
        var door = await testbed.NewDoorAsync();

        var state = await door.Agent.StateAsync();
        Assert.True(state.GetProperty("online").GetBoolean());
        Assert.Equal("Front desk", state.GetProperty("deviceName").GetString());
        Assert.Equal("Front door", state.GetProperty("doorName").GetString());
        Assert.Equal("H10301", state.GetProperty("wiegandFormat").GetString());
        JsonElement device = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                device = await door.DeviceAsync();
                return device.GetProperty("online").GetBoolean()
                    && device.GetProperty("syncVersion").GetInt64() == state.GetProperty("syncVersion").GetInt64();
            },
            () => $"the server to show the device online at the device's sync version; it shows {device}");
        Assert.Equal(state.GetProperty("softwareVersion").GetString(), device.GetProperty("softwareVersion").GetString());

        // Its secrets stay out of its log, at every level.
        var password = door.Agent.Services.GetRequiredService<DeviceIdentity>().MqttPassword;
        Assert.NotEmpty(door.Agent.Logs.Lines);
        Assert.DoesNotContain(door.Agent.Logs.Lines, line => line.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(door.Agent.Logs.Lines, line => line.Contains(door.ClaimCode, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tap_EnrolledCardGrantedUnknownDenied_EachEventStoredExactlyOnce()
    {
        var door = await testbed.NewDoorAsync();

        var granted = await door.Agent.TapAsync(door.Card);
        var denied = await door.Agent.TapAsync(door.UnknownCard);

        Assert.True(granted.GetProperty("granted").GetBoolean());
        Assert.Equal("granted", granted.GetProperty("reason").GetString());
        Assert.False(denied.GetProperty("granted").GetBoolean());
        Assert.Equal("unknownCredential", denied.GetProperty("reason").GetString());
        var events = await door.WaitForEventsAsync(2);

        // Resends have had their chance (the batch was acknowledged); still one event per attempt.
        await door.Agent.TapAsync(door.UnknownCard);
        events = await door.WaitForEventsAsync(3);
        Assert.Equal(3, events.Count);
        Assert.Equal(3, events.Select(e => e.GetProperty("id").GetGuid()).Distinct().Count());
        var grant = Assert.Single(events, e => e.GetProperty("granted").GetBoolean());
        Assert.Equal(door.UserId, grant.GetProperty("userId").GetGuid());
        Assert.Equal(door.CredentialId, grant.GetProperty("credentialId").GetGuid());
        Assert.Equal(door.DeviceId, grant.GetProperty("deviceId").GetGuid());
        Assert.All(events.Where(e => !e.GetProperty("granted").GetBoolean()), e => Assert.Equal("unknownCredential", e.GetProperty("reason").GetString()));

        // Cards are logged masked: never the full card.
        Assert.Contains(door.Agent.Logs.Lines, line => line.Contains("H10301:***", StringComparison.Ordinal));
        Assert.DoesNotContain(door.Agent.Logs.Lines, line => line.Contains($"H10301:1:{door.CardNumber}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoteUnlock_OpensTheLockAtTheDevice()
    {
        var door = await testbed.NewDoorAsync();

        var response = await door.Owner.PostAsync($"/api/v1/doors/{door.DoorId}/unlock", null);

        await DeviceTestbed.Expect(response, HttpStatusCode.Accepted);

        // The agent confirms the unlock once it has operated the relay, within the server's wait.
        using (var accepted = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal("unlocked", accepted.RootElement.GetProperty("outcome").GetString());
            Assert.True(accepted.RootElement.GetProperty("confirmed").GetBoolean());
        }

        await door.Agent.WaitForStateAsync(s => s.GetProperty("lock").GetString() == "unlocked", "unlocked");
        await door.Agent.WaitForStateAsync(s => s.GetProperty("lock").GetString() == "locked", "locked again after the unlock time");

        // The server's record of the unlock and the device's report of it are one event.
        var events = await door.WaitForEventsAsync(1);
        Assert.Single(events);
    }

    [Fact]
    public async Task Status_LockOpenedAtTheDoor_IsReportedToTheServer()
    {
        var door = await testbed.NewDoorAsync();

        await door.Agent.TapAsync(door.Card);

        await WaitForDeviceAsync(door, d => d.GetProperty("unlockedDoorIds").EnumerateArray().Any(id => id.GetGuid() == door.DoorId), "the door unlocked");
        await WaitForDeviceAsync(door, d => d.GetProperty("unlockedDoorIds").GetArrayLength() == 0, "the door locked again");
    }

    [Fact]
    public async Task NetworkUnplugged_ServerSeesTheDeviceOfflineAndItStillDecides()
    {
        var door = await testbed.NewDoorAsync();

        await door.Agent.SetNetworkAsync(connected: false);

        await WaitForDeviceAsync(door, d => !d.GetProperty("online").GetBoolean(), "offline (its last will)");
        Assert.True((await door.Agent.TapAsync(door.Card)).GetProperty("granted").GetBoolean());
        Assert.Equal(1, door.Agent.QueuedEvents);

        await door.Agent.SetNetworkAsync(connected: true);

        await WaitForDeviceAsync(door, d => d.GetProperty("online").GetBoolean(), "online again");
        Assert.Single(await door.WaitForEventsAsync(1));
    }

    [Fact]
    public async Task SuspendedCredential_IsRefusedAtTheDoor()
    {
        var door = await testbed.NewDoorAsync();
        var before = (await door.Agent.StateAsync()).GetProperty("syncVersion").GetInt64();

        var response = await door.Owner.PatchAsync($"/api/v1/credentials/{door.CredentialId}", JsonContent.Create(new { status = "suspended" }));

        await DeviceTestbed.Expect(response, HttpStatusCode.OK);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("syncVersion").GetInt64() > before, "synced past the suspension");
        var answer = await door.Agent.TapAsync(door.Card);
        Assert.Equal("credentialSuspended", answer.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Agent_RestartedWithoutTheClaimCode_ComesBackOnlineAtItsVersion()
    {
        var door = await testbed.NewDoorAsync();
        var version = (await door.Agent.StateAsync()).GetProperty("syncVersion").GetInt64();

        await door.Agent.StopAsync();
        await door.Agent.StartAsync();

        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean(), "online again");
        Assert.Equal(version, (await door.Agent.StateAsync()).GetProperty("syncVersion").GetInt64());
        Assert.True((await door.Agent.TapAsync(door.Card)).GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task Agent_StartedAgainWithTheUsedClaimCode_CarriesOnWithItsCredentials()
    {
        var door = await testbed.NewDoorAsync();

        await door.Agent.StopAsync();
        await door.Agent.StartAsync(door.ClaimCode);

        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean(), "online again");
    }

    [Fact]
    public async Task Claim_WrongCode_FailsWithTheClaimRefusedExitCode()
    {
        var agent = testbed.NewAgent();

        var error = await Assert.ThrowsAsync<AgentStartException>(() => agent.StartAsync("not-a-claim-code"));

        Assert.Equal(AgentExitCodes.ClaimRefused, error.ExitCode);
        Assert.DoesNotContain("not-a-claim-code", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerStopped_DoorKeepsDecidingAndEventsArriveOnceItIsBack()
    {
        var door = await testbed.NewDoorAsync();
        await door.Agent.TapAsync(door.Card);
        await door.WaitForEventsAsync(1);

        await testbed.Server.StopAsync();
        try
        {
            if (!testbed.Server.ExternalBroker)
            {
                // The server's own broker went with it; an external broker stays up and keeps the events for it.
                await door.Agent.WaitForStateAsync(s => !s.GetProperty("online").GetBoolean(), "offline");
            }

            Assert.True((await door.Agent.TapAsync(door.Card)).GetProperty("granted").GetBoolean());
            Assert.Equal("unknownCredential", (await door.Agent.TapAsync(door.UnknownCard)).GetProperty("reason").GetString());
            Assert.Equal(2, (await door.Agent.StateAsync()).GetProperty("queuedEvents").GetInt32());
        }
        finally
        {
            await testbed.Server.StartAsync();
        }

        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean(), "online again");
        var events = await door.WaitForEventsAsync(3);
        Assert.Equal(3, events.Count);
        Assert.Equal(3, events.Select(e => e.GetProperty("id").GetGuid()).Distinct().Count());
    }

    [Fact]
    public async Task EnrollCard_AtTheDevice_BecomesTheUsersCredential()
    {
        var door = await testbed.NewDoorAsync();
        var newUser = await DeviceTestbed.CreateAsync(door.Owner, "/api/v1/users", new { firstName = "Bob", lastName = "Example", status = "active", accessGroupIds = Array.Empty<Guid>() });

        var response = await door.Owner.PostAsJsonAsync($"/api/v1/users/{newUser}/credentials/cards/enrollments", new { deviceId = door.DeviceId });

        await DeviceTestbed.Expect(response, HttpStatusCode.Accepted);
        var enrollment = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await door.Agent.WaitForStateAsync(
            s => s.GetProperty("prompt").GetString() == "Beginning Card enrollment, please hold your card up to the device" && s.GetProperty("led").GetString() == "blue",
            "asking for a card");

        var tap = await door.Agent.TapAsync(new { format = "H10301", facilityCode = 7, cardNumber = 4242 });

        Assert.Equal("enrollment", tap.GetProperty("reason").GetString());
        JsonElement status = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                status = await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/enrollments/{enrollment}");
                return status.GetProperty("status").GetString() != "pending";
            },
            () => $"the enrollment to finish; it is {status}");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        await door.Agent.WaitForStateAsync(s => s.GetProperty("led").GetString() == "green", "green for the enrolled card");
        var credentials = await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/users/{newUser}/credentials");
        Assert.Contains(
            credentials.ValueKind == JsonValueKind.Array ? credentials.EnumerateArray() : credentials.GetProperty("items").EnumerateArray(),
            c => c.GetProperty("id").GetGuid() == status.GetProperty("credentialId").GetGuid());
    }

    private static async Task WaitForDeviceAsync(DoorScenario door, Func<JsonElement, bool> condition, string what)
    {
        JsonElement device = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                device = await door.DeviceAsync();
                return condition(device);
            },
            () => $"the server to show the device {what}; it shows {device}");
    }
}
