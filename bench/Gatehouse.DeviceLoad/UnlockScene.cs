using System.Text;
using System.Text.Json;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// What the unlock measurements share: one organization, one door open around the clock, and one user with an
/// email address in the door's group holding an H10301 card, whose decision at the door is the baseline.
/// </summary>
internal sealed record UnlockScene(Organization Organization, Building Building, Guid UserId)
{
    public const string DecisionsUrl = "/api/v1/access/decisions";

    public const string UserName = "Noor Haddad";

    /// <summary>How long the door's agent may take to come online with its snapshot.</summary>
    public static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long the device may take, after the runs, to report the unlocks it carried out.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(2);

    public Guid DoorId => Building.DoorIds[0];

    /// <summary>The baseline's request body: the user's card at the door.</summary>
    public byte[] DecisionBody => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        doorId = DoorId,
        card = new { format = "H10301", facilityCode = 1, cardNumber = 11572 },
    }));

    public static async Task<UnlockScene> NewAsync(LoadServer server, string organizationName)
    {
        var organization = await server.NewOrganizationAsync(organizationName);
        var building = await Api.NewBuildingAsync(organization.Owner, 1);
        var userId = await Api.NewUserAsync(organization.Owner, building, "Noor", "Haddad", "noor@example.com");
        await organization.Owner.PostCreatedIdAsync($"/api/v1/users/{userId}/credentials/cards", new { format = "H10301", facilityCode = 1, cardNumber = 11572 });
        return new UnlockScene(organization, building, userId);
    }

    /// <summary>The heading of a measurement's report.</summary>
    public static string Heading(string what, int concurrency, TimeSpan duration, TimeSpan warmUp, LoadServer server) =>
        $"## {what} — {concurrency} concurrent workers, {duration.TotalSeconds:0} s each after {warmUp.TotalSeconds:0} s of warm-up, broker: {server.BrokerName}";

    /// <summary>The report's lines comparing the unlocks with both baseline runs of decisions.</summary>
    public static IEnumerable<string> Ratios(LoadRun unlocks, LoadRun decisions, LoadRun decisionsAgain)
    {
        var baseline = (decisions.PerSecond + decisionsAgain.PerSecond) / 2;
        yield return $"Ratio of unlock requests/s to the decisions' (the mean of both baseline runs): **{Samples.Ratio(unlocks.PerSecond, baseline)}** "
            + $"(to the first run alone {Samples.Ratio(unlocks.PerSecond, decisions.PerSecond)}, to the second {Samples.Ratio(unlocks.PerSecond, decisionsAgain.PerSecond)}).";
        yield return $"Ratio of unlock p99 to the decisions' p99 (first run): {Samples.Ratio(unlocks.Latency.Percentile(99), decisions.Latency.Percentile(99))}.";
    }
}
