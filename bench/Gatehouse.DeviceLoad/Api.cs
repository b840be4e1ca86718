using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gatehouse.DeviceLoad;

/// <summary>The few REST calls the measurements set their organizations up with.</summary>
internal static class Api
{
    private static readonly string[] EveryDay = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>
    /// A site, <paramref name="doors"/> doors on it, a schedule open around the clock and one access group
    /// opening every door on it — the doors each device of a measurement controls one of.
    /// </summary>
    public static async Task<Building> NewBuildingAsync(HttpClient owner, int doors)
    {
        var site = await owner.PostCreatedIdAsync("/api/v1/sites", new { name = "Head office", timeZone = "Europe/Berlin" });
        var doorIds = new List<Guid>(doors);
        for (var i = 0; i < doors; i++)
        {
            doorIds.Add(await owner.PostCreatedIdAsync("/api/v1/doors", new { siteId = site, name = $"Door {i + 1:000}" }));
        }

        var schedule = await owner.PostCreatedIdAsync("/api/v1/schedules", new
        {
            name = "Always",
            windows = new[] { new { days = EveryDay, start = "00:00", end = "24:00" } },
            holidays = Array.Empty<object>(),
        });
        var group = await owner.PostCreatedIdAsync("/api/v1/access-groups", new { name = "Everyone", scheduleId = schedule, doorIds });
        return new Building(site, doorIds, schedule, group);
    }

    /// <summary>An active user in the building's group, with <paramref name="email"/> if given; returns the user's ID.</summary>
    public static Task<Guid> NewUserAsync(HttpClient owner, Building building, string firstName, string lastName, string? email = null) =>
        owner.PostCreatedIdAsync("/api/v1/users", new
        {
            firstName,
            lastName,
            email,
            status = "active",
            accessGroupIds = new[] { building.AccessGroupId },
        });

    /// <summary>A user in the building's group with one H10301 card; returns the user's and the card's IDs.</summary>
    public static async Task<(Guid UserId, Guid CredentialId)> NewCardholderAsync(HttpClient owner, Building building, int facilityCode, int cardNumber)
    {
        var user = await NewUserAsync(owner, building, "Card", $"Holder {facilityCode}-{cardNumber}");
        var credential = await owner.PostCreatedIdAsync($"/api/v1/users/{user}/credentials/cards", new { format = "H10301", facilityCode, cardNumber });
        return (user, credential);
    }

    /// <summary>Enrolls a face for <paramref name="userId"/> from <paramref name="photo"/>, with consent; returns the credential's ID.</summary>
    public static async Task<Guid> NewFaceAsync(HttpClient owner, Guid userId, byte[] photo)
    {
        using var form = new MultipartFormDataContent();
        var image = new ByteArrayContent(photo);
        image.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        form.Add(image, "photo", "face.jpg");
        form.Add(new StringContent("true"), "consent");
        using var response = await owner.PostAsync($"/api/v1/users/{userId}/credentials/faces", form);
        await response.ExpectStatusAsync(System.Net.HttpStatusCode.Created);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>Adds an F3D100 controlling <paramref name="doorId"/>; returns its ID and one-time claim code.</summary>
    public static async Task<(Guid DeviceId, string ClaimCode)> NewDeviceAsync(HttpClient owner, Building building, Guid doorId, string name)
    {
        var device = await owner.PostCreatedAsync("/api/v1/devices", new
        {
            name,
            model = "F3D100",
            siteId = building.SiteId,
            doorIds = new[] { doorId },
            wiegandFormat = "H10301",
        });
        return (device.GetProperty("id").GetGuid(), device.GetProperty("claimCode").GetString()!);
    }

    /// <summary>The devices as <c>GET /api/v1/devices</c> lists them.</summary>
    public static async Task<IReadOnlyList<JsonElement>> DevicesAsync(HttpClient owner)
    {
        var page = await owner.GetFromJsonAsync<JsonElement>("/api/v1/devices?pageSize=500");
        return [.. page.GetProperty("items").EnumerateArray()];
    }
}

/// <summary>What <see cref="Api.NewBuildingAsync"/> made.</summary>
internal sealed record Building(Guid SiteId, IReadOnlyList<Guid> DoorIds, Guid ScheduleId, Guid AccessGroupId);
