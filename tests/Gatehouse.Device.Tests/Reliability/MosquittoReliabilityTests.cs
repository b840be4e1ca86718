using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Tests.Integration;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Users;
using MQTTnet;
using Xunit.Abstractions;

namespace Gatehouse.Device.Tests.Reliability;

/// <summary>
/// The reliability cases on a real Mosquitto with its dynamic-security plugin, which these tests start — and,
/// for the broker restart, kill and start again — themselves. Skipped (saying so) only where Mosquitto is not
/// installed; the test script installs it.
/// </summary>
[Trait("Category", "Device")]
public sealed class MosquittoReliabilityTests(MosquittoTestbed testbed, ITestOutputHelper output) : ReliabilityTests(testbed), IClassFixture<MosquittoTestbed>
{
    private const int BulkCardHolders = 3000;

    [MosquittoFact]
    public Task ServerStopped_DoorDecidesFromItsStore_EventsArriveExactlyOnceAfterRestart() => ServerStopped();

    [MosquittoFact]
    public Task CredentialDeletedAndAnotherSuspended_RefusedAtTheDoorWithTheirReasons() => CredentialDeletedAndAnotherSuspended();

    [MosquittoFact]
    public Task DeviceRemoved_SessionEndedAndReconnectRefused_AgentStaysOffline() => DeviceRemoved();

    [MosquittoFact]
    public Task Device_CannotReadAnotherDevicesTopics() => DeviceCannotReadAnotherDevicesTopics();

    [MosquittoFact]
    public Task MalformedAndOversizedPayloads_LoggedAndNeitherSideStops() => MalformedAndOversizedPayloads();

    [MosquittoFact]
    public Task AgentRestartedWithEventsQueued_NothingLostNothingDoubled() => AgentRestartedWithEventsQueued();

    /// <summary>
    /// A device claimed into an organization of thousands of card holders gets its first snapshot in dozens of
    /// parts; the broker is killed while they are on the wire, a card is suspended and another deleted while it
    /// is down, and it comes back without any session or queued message. The device ends on the version the
    /// server last published, the server shows that version, and the door decides every card as the server does.
    /// </summary>
    [MosquittoFact]
    public async Task BrokerRestartedMidSync_DeviceEndsOnThePublishedVersionDecidingAsTheServer()
    {
        var broker = testbed.Broker;
        var server = testbed.Server;
        var door = await testbed.NewDoorAsync(start: false);
        var organizationId = await server.OrganizationOfDeviceAsync(door.DeviceId);
        var bulk = await AddCardHoldersInBulkAsync(organizationId, await door.NewGroupAsync(), BulkCardHolders);

        // A watcher with the broker administrator's account sees the snapshot's parts as the device does, and
        // kills the broker as soon as the first one goes by: the rest are still to be sent.
        var syncTopic = DeviceTopics.For(organizationId, door.DeviceId, DeviceTopics.Sync);
        var seen = new List<SyncMessage>();
        await using (var watcher = new RawMqttClient())
        {
            watcher.Received += (_, payload) =>
            {
                var part = JsonSerializer.Deserialize(payload, DeviceProtocolJson.Default.SyncMessage)!;
                lock (seen)
                {
                    seen.Add(part);
                }

                broker.KillNow();
            };
            Assert.Equal(MqttClientConnectResultCode.Success, await watcher.ConnectAsync("127.0.0.1", broker.Port, "watcher", MosquittoBroker.AdminUsername, broker.AdminPassword));
            Assert.True(await watcher.SubscribeAsync(syncTopic) <= MqttClientSubscribeResultCode.GrantedQoS2);

            await door.Agent.StartAsync(door.ClaimCode);
            await Eventually.HoldsAsync(() => !broker.IsRunning, () => "a snapshot part to go by");
        }

        await broker.KillAsync();
        var interrupted = seen[0];
        Assert.Equal(SyncKind.Snapshot, interrupted.Kind);
        Assert.True(
            seen.Count < interrupted.Parts,
            $"The broker went down only after all {interrupted.Parts} parts of snapshot {interrupted.Version} were sent; the test did not interrupt a sync.");
        output.WriteLine($"The broker was killed after {seen.Count} of the {interrupted.Parts} parts of snapshot {interrupted.Version}.");
        var state = await door.Agent.WaitForStateAsync(s => !s.GetProperty("online").GetBoolean(), "offline with the broker gone");
        Assert.Equal(0, state.GetProperty("syncVersion").GetInt64());

        // Changes while the broker is down (the server saves them; it cannot publish them).
        var suspended = bulk[0];
        var deleted = bulk[1];
        await DeviceTestbed.Expect(
            await door.Owner.PatchAsync($"/api/v1/credentials/{suspended.CredentialId}", JsonContent.Create(new { status = "suspended" })), HttpStatusCode.OK);
        await DeviceTestbed.Expect(await door.Owner.DeleteAsync($"/api/v1/credentials/{deleted.CredentialId}"), HttpStatusCode.NoContent);

        await broker.StartAsync();

        long published = 0, reported = 0;
        JsonElement device = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                state = await door.Agent.StateAsync();
                published = await server.PublishedVersionAsync(door.DeviceId);
                device = await door.DeviceAsync();
                reported = device.GetProperty("syncVersion").GetInt64();
                return state.GetProperty("online").GetBoolean()
                    && state.GetProperty("syncVersion").GetInt64() == published
                    && reported == published
                    && device.GetProperty("online").GetBoolean();
            },
            () => $"the device to be online at the server's published version {published} (the device holds {state.GetProperty("syncVersion")}, the server shows {reported})"
                + Trail("The device's log", door.Agent.Logs, "Gatehouse.Device.Sync", "Gatehouse.Device.Mqtt")
                + Trail("The server's log", server.Logs, door.DeviceId.ToString()),
            TimeSpan.FromSeconds(60));
        Assert.True(published > interrupted.Version, $"Published version {published} is not past the interrupted snapshot {interrupted.Version}.");

        TestCard[] cards = [door.Card(), door.UnknownCard(), suspended.Card, deleted.Card, bulk[2].Card, bulk[BulkCardHolders / 2].Card, bulk[^1].Card];
        foreach (var card in cards)
        {
            var atTheDoor = await door.Agent.TapCardAsync(card);
            Assert.Equal(await door.ServerDecisionAsync(card), atTheDoor);
        }

        Assert.Equal((false, "credentialSuspended"), await door.Agent.TapCardAsync(suspended.Card));
        Assert.Equal((false, "unknownCredential"), await door.Agent.TapCardAsync(deleted.Card));
        Assert.Equal((true, "granted"), await door.Agent.TapCardAsync(bulk[^1].Card));
    }

    /// <summary>The last lines of a log that hold any of <paramref name="parts"/>, for a failure's message.</summary>
    private static string Trail(string title, CapturedLogs logs, params string[] parts) =>
        $"\n{title}:\n  " + string.Join("\n  ", logs.Lines.Where(l => parts.Any(p => l.Contains(p, StringComparison.Ordinal))).TakeLast(40));

    /// <summary>
    /// Card holders of the group, straight into the server's store in one save (through the API it would take
    /// minutes); the save is seen by the gateway as any other change.
    /// </summary>
    private async Task<IReadOnlyList<(TestCard Card, Guid CredentialId)>> AddCardHoldersInBulkAsync(Guid organizationId, Guid groupId, int count)
    {
        var holders = Enumerable.Range(1, count).Select(i => new TestCard(8, i)).ToList();
        return await testbed.Server.InStoreAsync(organizationId, async db =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var added = new List<(TestCard, Guid)>();
            foreach (var card in holders)
            {
                var user = new User
                {
                    FirstName = "Bulk",
                    LastName = card.ToString(),
                    Status = UserStatus.Active,
                    CreatedAt = now,
                    AccessGroups = [new UserAccessGroup { AccessGroupId = groupId }],
                };
                var credential = CardCredential.For(user.Id, card.Identity);
                credential.CreatedAt = now;
                credential.UpdatedAt = now;
                db.Users.Add(user);
                db.Credentials.Add(credential);
                added.Add((card, credential.Id));
            }

            await db.SaveChangesAsync();
            return added;
        });
    }
}
