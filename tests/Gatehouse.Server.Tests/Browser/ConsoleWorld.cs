using System.Text.Json;
using Gatehouse.Server.Tests.Features;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// What the users, explorer and events pages need around them, made through the API: a site, one door,
/// a schedule that is always open and an access group "Staff" with the door.
/// </summary>
internal sealed record ConsoleWorld(string DoorId, string DoorName, string GroupId, string GroupName)
{
    public static async Task<ConsoleWorld> CreateAsync(HttpClient owner)
    {
        var site = await owner.NewSiteAsync("Head office", "UTC");
        var door = await owner.NewDoorAsync(site.Id(), "Front door");
        var schedule = await owner.CreateAsync("/api/v1/schedules", new
        {
            name = "Always",
            windows = new[]
            {
                new { days = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" }, start = "00:00", end = "24:00" },
            },
        });
        var group = await owner.NewAccessGroupAsync(schedule.Id(), [door.Id()], "Staff");
        return new ConsoleWorld(door.Id(), "Front door", group.Id(), "Staff");
    }

    /// <summary>A user in the Staff group.</summary>
    public Task<JsonElement> NewUserAsync(HttpClient owner, string firstName = "Ana", string lastName = "Lima") =>
        owner.NewUserAsync(firstName, lastName, [GroupId]);

    /// <summary>An H10301 card for the user.</summary>
    public static Task<JsonElement> NewCardAsync(HttpClient owner, string userId, int facilityCode = 12, int cardNumber = 3456) =>
        owner.CreateAsync($"/api/v1/users/{userId}/credentials/cards", new { format = "H10301", facilityCode, cardNumber });
}
