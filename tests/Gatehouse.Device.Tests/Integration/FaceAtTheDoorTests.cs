using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Testing;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>
/// Recognition at the door against the real server: a face enrolled from one photo through the API syncs to the
/// device, and another photo of the same person at the camera opens the door as a card would.
/// </summary>
[Trait("Category", "Device")]
public sealed class FaceAtTheDoorTests(DeviceTestbed testbed) : IClassFixture<DeviceTestbed>
{
    private const string Enrolled = "franck_01829.jpg";
    private const string SamePerson = "franck_04117.jpg";
    private const string Stranger = "cage.jpg";

    [Fact]
    public async Task SecondPhotoOfTheEnrolledPerson_OpensTheDoorOnce_AStrangerIsRefused()
    {
        var (door, face) = await FaceDoorAsync();

        var granted = await PresentAsync(door, SamePerson);
        var again = await PresentAsync(door, SamePerson);
        var stranger = await PresentAsync(door, Stranger);

        Assert.True(granted.GetProperty("granted").GetBoolean(), granted.ToString());
        Assert.Equal("granted", granted.GetProperty("reason").GetString());
        Assert.True(granted.GetProperty("score").GetSingle() >= 0.42f);
        Assert.Equal("unlocked", (await door.Agent.StateAsync()).GetProperty("lock").GetString());
        Assert.Equal("repeat", again.GetProperty("reason").GetString());
        Assert.Equal("unknownCredential", stranger.GetProperty("reason").GetString());
        var events = await door.WaitForEventsAsync(2);
        Assert.Equal(2, events.Count);
        var grant = Assert.Single(events, e => e.GetProperty("granted").GetBoolean());
        Assert.Equal("face", grant.GetProperty("credentialType").GetString());
        Assert.Equal(face, grant.GetProperty("credentialId").GetGuid());
        Assert.Equal(door.UserId, grant.GetProperty("userId").GetGuid());
        Assert.True(grant.GetProperty("score").GetSingle() >= 0.42f);
        Assert.True(grant.GetProperty("liveness").GetSingle() > 0);
        var refusal = Assert.Single(events, e => !e.GetProperty("granted").GetBoolean());
        Assert.Equal("unknownCredential", refusal.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, refusal.GetProperty("userId").ValueKind);
    }

    [Fact]
    public async Task SuspendedUser_IsRefused()
    {
        var (door, _) = await FaceDoorAsync();
        var before = (await door.Agent.StateAsync()).GetProperty("syncVersion").GetInt64();

        var response = await door.Owner.PatchAsync($"/api/v1/users/{door.UserId}", JsonContent.Create(new { status = "suspended" }));

        await DeviceTestbed.Expect(response, HttpStatusCode.OK);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("syncVersion").GetInt64() > before, "synced past the suspension");
        var answer = await PresentAsync(door, SamePerson);
        Assert.Equal("userSuspended", answer.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task DeletedFace_IsRefusedOnceTheDeltaArrives()
    {
        var (door, face) = await FaceDoorAsync();
        var before = (await door.Agent.StateAsync()).GetProperty("syncVersion").GetInt64();

        var response = await door.Owner.DeleteAsync($"/api/v1/credentials/{face}");

        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        await door.Agent.WaitForStateAsync(s => s.GetProperty("syncVersion").GetInt64() > before, "synced past the deletion");
        var answer = await PresentAsync(door, SamePerson);
        Assert.Equal("unknownCredential", answer.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ServerStopped_AKnownFaceStillOpens_AndItsEventArrivesOnce()
    {
        var (door, face) = await FaceDoorAsync();

        await testbed.Server.StopAsync();
        try
        {
            if (!testbed.Server.ExternalBroker)
            {
                await door.Agent.WaitForStateAsync(s => !s.GetProperty("online").GetBoolean(), "offline");
            }

            Assert.True((await PresentAsync(door, SamePerson)).GetProperty("granted").GetBoolean());
            Assert.Equal(1, (await door.Agent.StateAsync()).GetProperty("queuedEvents").GetInt32());
        }
        finally
        {
            await testbed.Server.StartAsync();
        }

        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean(), "online again");
        var events = await door.WaitForEventsAsync(1);
        var only = Assert.Single(events);
        Assert.Equal(face, only.GetProperty("credentialId").GetGuid());
    }

    /// <summary>A door whose user has a face enrolled from <see cref="Enrolled"/>, its agent running the face engine.</summary>
    private async Task<(DoorScenario Door, Guid Face)> FaceDoorAsync()
    {
        var door = await testbed.NewDoorAsync(start: false);
        using var form = new MultipartFormDataContent();
        var photo = new ByteArrayContent(FaceAssets.Photo(Enrolled));
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(photo, "photo", "photo.jpg");
        form.Add(new StringContent("true"), "consent");
        var enrolled = await door.Owner.PostAsync($"/api/v1/users/{door.UserId}/credentials/faces", form);
        await DeviceTestbed.Expect(enrolled, HttpStatusCode.Created);
        var face = (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        door.Agent.With("Gatehouse:Face:ModelDirectory", FaceAssets.ModelDirectory);
        await door.Agent.StartAsync(door.ClaimCode);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean() && s.GetProperty("syncVersion").GetInt64() > 0, "online with a snapshot");
        return (door, face);
    }

    private static async Task<JsonElement> PresentAsync(DoorScenario door, string photo)
    {
        using var body = new ByteArrayContent(FaceAssets.Photo(photo));
        body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var response = await door.Agent.Simulator.PostAsync("/simulator/face", body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
