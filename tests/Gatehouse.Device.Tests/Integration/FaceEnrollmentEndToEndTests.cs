using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Device.Door;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>
/// Enrolling a face at the simulated F3D100 against the real server: the admin starts it through the API, frames reach
/// the device's camera through <c>POST /simulator/face</c>, and the server enrolls the frame the device chose; a cancel
/// and the device going offline end it without a face.
/// </summary>
[Trait("Category", "Device")]
public sealed class FaceEnrollmentEndToEndTests(DeviceTestbed testbed) : IClassFixture<DeviceTestbed>
{
    [Fact]
    public async Task EnrollFace_PhotoInFrontOfTheCamera_BecomesTheUsersFaceWithTheAdminsConsentAndTheDeviceTurnsGreen()
    {
        var door = await DoorWithCameraAsync();
        var user = await NewUserAsync(door);

        var enrollment = await StartAsync(door, user);
        await door.Agent.WaitForStateAsync(
            s => s.GetProperty("prompt").GetString() == "Beginning face enrollment, please stand in front of the camera." && s.GetProperty("led").GetString() == "blue",
            "asking for a face");
        var outcome = await PresentAsync(door, "franck_02159.jpg");

        Assert.False(outcome.GetProperty("granted").GetBoolean());
        Assert.Equal("enrollment", outcome.GetProperty("reason").GetString());
        var status = await WaitForEndAsync(door, enrollment);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        var credential = await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/credentials/{status.GetProperty("credentialId").GetGuid()}");
        Assert.Equal("face", credential.GetProperty("type").GetString());
        Assert.Equal(user, credential.GetProperty("userId").GetGuid());
        var consent = credential.GetProperty("face").GetProperty("consent");
        Assert.NotEqual(JsonValueKind.Null, consent.GetProperty("adminId").ValueKind);
        Assert.Equal(JsonValueKind.Null, consent.TryGetProperty("invitationId", out var invitation) ? invitation.ValueKind : JsonValueKind.Null);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("led").GetString() == "green" && s.GetProperty("prompt").GetString() == "Face enrolled", "green, face enrolled");
    }

    [Fact]
    public async Task EnrollFace_CancelledFromTheConsole_TheDeviceStopsAndALaterFrameIsNotTaken()
    {
        var door = await DoorWithCameraAsync();
        var user = await NewUserAsync(door);
        var enrollment = await StartAsync(door, user);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("led").GetString() == "blue", "asking for a face");

        (await door.Owner.DeleteAsync($"/api/v1/enrollments/{enrollment}")).EnsureSuccessStatusCode();

        await door.Agent.WaitForStateAsync(s => s.GetProperty("prompt").GetString() == "Enrollment cancelled", "cancelled");
        var outcome = await PresentAsync(door, "franck_02159.jpg");
        Assert.NotEqual("enrollment", outcome.GetProperty("reason").GetString());
        Assert.Equal("cancelled", (await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/enrollments/{enrollment}")).GetProperty("status").GetString());
        Assert.Equal(0, await FacesOfAsync(door, user));
    }

    [Fact]
    public async Task EnrollFace_DeviceGoesOfflineMidEnrollment_FailsCleanlyWithoutAFace()
    {
        var door = await DoorWithCameraAsync();
        var user = await NewUserAsync(door);
        var enrollment = await StartAsync(door, user);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("led").GetString() == "blue", "asking for a face");

        await door.Agent.SetNetworkAsync(false);
        var status = await WaitForEndAsync(door, enrollment);
        await PresentAsync(door, "franck_02159.jpg");
        await Task.Delay(Enrollments.FaceWindow + TimeSpan.FromMilliseconds(500));
        await door.Agent.SetNetworkAsync(true);

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("offline", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean() && s.GetProperty("led").GetString() != "amber", "online again, told the enrollment is over");
        Assert.Equal("failed", (await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/enrollments/{enrollment}")).GetProperty("status").GetString());
        Assert.Equal(0, await FacesOfAsync(door, user));
    }

    private async Task<DoorScenario> DoorWithCameraAsync()
    {
        var door = await testbed.NewDoorAsync(start: false);
        door.Agent.With("Gatehouse:Face:ModelDirectory", FaceAssets.ModelDirectory);
        await door.Agent.StartAsync(door.ClaimCode);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean() && s.GetProperty("syncVersion").GetInt64() > 0, "online with a snapshot");
        return door;
    }

    /// <summary>One camera frame, as <c>POST /simulator/face</c> takes it: the photo as the body.</summary>
    private static async Task<JsonElement> PresentAsync(DoorScenario door, string photo)
    {
        using var body = new ByteArrayContent(FaceAssets.Photo(photo));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        var response = await door.Agent.Simulator.PostAsync("/simulator/face", body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<Guid> NewUserAsync(DoorScenario door) =>
        DeviceTestbed.CreateAsync(door.Owner, "/api/v1/users", new { firstName = "Franck", lastName = "Example", status = "active", accessGroupIds = Array.Empty<Guid>() });

    private static async Task<Guid> StartAsync(DoorScenario door, Guid user)
    {
        var response = await door.Owner.PostAsJsonAsync($"/api/v1/users/{user}/credentials/faces/enrollments", new { deviceId = door.DeviceId });
        await DeviceTestbed.Expect(response, HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> WaitForEndAsync(DoorScenario door, Guid enrollment)
    {
        JsonElement status = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                status = await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/enrollments/{enrollment}");
                return status.GetProperty("status").GetString() != "pending";
            },
            () => $"the enrollment to finish; it is {status}");
        return status;
    }

    private static async Task<int> FacesOfAsync(DoorScenario door, Guid user)
    {
        var credentials = await door.Owner.GetFromJsonAsync<JsonElement>($"/api/v1/users/{user}/credentials");
        var items = credentials.ValueKind == JsonValueKind.Array ? credentials.EnumerateArray() : credentials.GetProperty("items").EnumerateArray();
        return items.Count(c => c.GetProperty("type").GetString() == "face");
    }
}
