using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Decisions;

public sealed class AccessDecisionTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Decisions = "/api/v1/access/decisions";

    // A Monday at 12:15 in London (GMT in March before the 29th), inside the office hours.
    private const string MondayNoon = "2026-03-09T12:15:00Z";

    private static readonly object Card = new { format = "H10301", facilityCode = 1, cardNumber = 11572 };

    [Fact]
    public async Task Decide_CardOfUserWithAccessInsideSchedule_GrantedNamingUserCredentialAndGroup()
    {
        var scene = await SceneAsync();

        var decision = await DecideAsync(scene, Card, MondayNoon);

        Assert.True(decision.GetProperty("granted").GetBoolean());
        Assert.Equal("granted", decision.Str("reason"));
        Assert.Equal(scene.UserId, decision.Str("userId"));
        Assert.Equal(scene.CredentialId, decision.Str("credentialId"));
        Assert.Equal(scene.GroupId, decision.Str("accessGroupId"));
    }

    [Fact]
    public async Task Decide_UnknownCard_UnknownCredentialWithoutIds()
    {
        var scene = await SceneAsync();

        var decision = await DecideAsync(scene, new { format = "H10301", facilityCode = 1, cardNumber = 11573 }, MondayNoon);

        Assert.False(decision.GetProperty("granted").GetBoolean());
        Assert.Equal("unknownCredential", decision.Str("reason"));
        Assert.False(decision.TryGetProperty("userId", out _));
        Assert.False(decision.TryGetProperty("credentialId", out _));
    }

    [Fact]
    public async Task Decide_CredentialSuspendedAfterAGrant_NextDecisionDenies()
    {
        var scene = await SceneAsync();
        Assert.Equal("granted", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));

        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/credentials/{scene.CredentialId}", """{"status":"suspended"}"""))
            .AssertStatusAsync(HttpStatusCode.OK);
        var decision = await DecideAsync(scene, Card, MondayNoon);

        Assert.Equal("credentialSuspended", decision.Str("reason"));
        Assert.Equal(scene.CredentialId, decision.Str("credentialId"));
    }

    [Fact]
    public async Task Decide_AfterCredentialValidUntil_CredentialExpired()
    {
        var scene = await SceneAsync(credentialValidity: ("2026-01-01T00:00:00Z", "2026-03-09T12:15:00Z"));

        Assert.Equal("granted", (await DecideAsync(scene, Card, "2026-03-09T12:14:59Z")).Str("reason"));
        Assert.Equal("credentialExpired", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));
    }

    [Fact]
    public async Task Decide_BeforeCredentialValidFrom_CredentialNotYetValid()
    {
        var scene = await SceneAsync(credentialValidity: ("2026-03-09T12:15:00Z", null));

        Assert.Equal("credentialNotYetValid", (await DecideAsync(scene, Card, "2026-03-09T12:14:59Z")).Str("reason"));
        Assert.Equal("granted", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));
    }

    [Fact]
    public async Task Decide_UserSuspended_UserSuspended()
    {
        var scene = await SceneAsync(userStatus: "suspended");

        var decision = await DecideAsync(scene, Card, MondayNoon);

        Assert.Equal("userSuspended", decision.Str("reason"));
        Assert.Equal(scene.UserId, decision.Str("userId"));
    }

    [Fact]
    public async Task Decide_AfterUserValidUntil_UserExpired()
    {
        var scene = await SceneAsync(userValidity: (null, "2026-03-01T00:00:00Z"));

        Assert.Equal("userExpired", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));
    }

    [Fact]
    public async Task Decide_BeforeUserValidFrom_UserNotYetValid()
    {
        var scene = await SceneAsync(userValidity: ("2026-04-01T00:00:00Z", null));

        Assert.Equal("userNotYetValid", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));
    }

    [Fact]
    public async Task Decide_DoorOutsideTheUsersGroups_NoAccessToDoor()
    {
        var scene = await SceneAsync();

        var decision = await DecideAsync(scene with { DoorId = scene.OtherDoorId }, Card, MondayNoon);

        Assert.Equal("noAccessToDoor", decision.Str("reason"));
    }

    [Fact]
    public async Task Decide_OnSunday_OutsideScheduleNamingTheGroup()
    {
        var scene = await SceneAsync();

        var decision = await DecideAsync(scene, Card, "2026-03-08T12:15:00Z");

        Assert.Equal("outsideSchedule", decision.Str("reason"));
        Assert.Equal(scene.GroupId, decision.Str("accessGroupId"));
    }

    [Fact]
    public async Task Decide_OnAHoliday_Holiday()
    {
        var scene = await SceneAsync(holidays: [new { date = "2026-03-10", name = "Founders' day" }]);

        Assert.Equal("holiday", (await DecideAsync(scene, Card, "2026-03-10T12:15:00Z")).Str("reason"));
        Assert.Equal("granted", (await DecideAsync(scene, Card, "2026-03-11T12:15:00Z")).Str("reason"));
    }

    [Fact]
    public async Task Decide_WiegandBitsWithFormat_FindsTheCard()
    {
        var scene = await SceneAsync();

        var decision = await DecideAsync(scene, new { wiegand = Bits("H10301:1:11572"), format = "H10301" }, MondayNoon);

        Assert.Equal("granted", decision.Str("reason"));
        Assert.Equal(scene.CredentialId, decision.Str("credentialId"));
    }

    [Fact]
    public async Task Decide_WiegandBitsWithoutFormat_GoesByLength()
    {
        var scene = await SceneAsync();

        var decision = await DecideAsync(scene, new { wiegand = Bits("H10301:1:11572") }, MondayNoon);

        Assert.Equal("granted", decision.Str("reason"));
    }

    [Fact]
    public async Task Decide_37BitsWithoutFormat_FindsWhicheverFormatIsEnrolled()
    {
        var scene = await SceneAsync(card: new { format = "H10304", facilityCode = 300, cardNumber = 4000 });

        var decision = await DecideAsync(scene, new { wiegand = Bits("H10304:300:4000") }, MondayNoon);

        Assert.Equal("granted", decision.Str("reason"));
        Assert.Equal(scene.CredentialId, decision.Str("credentialId"));
    }

    [Fact]
    public async Task Decide_Csn_FindsTheCardIgnoringCase()
    {
        var scene = await SceneAsync(card: new { format = "CSN", csn = "04A224B2C15E80" });

        var decision = await DecideAsync(scene, new { csn = "04a224b2c15e80" }, MondayNoon);

        Assert.Equal("granted", decision.Str("reason"));
    }

    [Theory]
    [InlineData("0000000010010110100110100", "H10301")]
    [InlineData("0000000010010110100110100", null)]
    [InlineData("00000000100101101001101000", "H10301")]
    [InlineData("10000000100101101001101001", null)]
    [InlineData("0000000010010110100110100x", null)]
    public async Task Decide_BadWiegandBits_400NamingCardWiegand(string bits, string? format)
    {
        var scene = await SceneAsync();

        var response = await scene.Org.Owner.PostAsJsonAsync(Decisions, new { doorId = scene.DoorId, at = MondayNoon, card = new { wiegand = bits, format } });

        await response.AssertFieldErrorAsync("card.wiegand");
    }

    [Theory]
    [InlineData("""{"card":{"format":"H10301","facilityCode":1,"cardNumber":1}}""", "doorId")]
    [InlineData("""{"doorId":"DOOR"}""", "card")]
    [InlineData("""{"doorId":"DOOR","card":{"format":"H10301","facilityCode":256,"cardNumber":1}}""", "card.facilityCode")]
    [InlineData("""{"doorId":"DOOR","card":{"format":"H10301","facilityCode":1}}""", "card.cardNumber")]
    [InlineData("""{"doorId":"DOOR","card":{"format":"K99","facilityCode":1,"cardNumber":1}}""", "card.format")]
    [InlineData("""{"doorId":"DOOR","card":{"csn":"04A2"}}""", "card.csn")]
    [InlineData("""{"doorId":"DOOR","card":{"wiegand":"00000000100101101001101001","cardNumber":1}}""", "card.cardNumber")]
    [InlineData("""{"doorId":"DOOR","card":{"wiegand":"00000000100101101001101001","format":"CSN"}}""", "card.format")]
    [InlineData("""{"doorId":"DOOR","at":"Monday","card":{"csn":"04A224B2"}}""", "at")]
    [InlineData("""{"doorId":"front","card":{"csn":"04A224B2"}}""", "doorId")]
    public async Task Decide_BadRequest_400NamingTheField(string body, string field)
    {
        var scene = await SceneAsync();

        var response = await scene.Org.Owner.PostRawAsync(Decisions, body.Replace("DOOR", scene.DoorId, StringComparison.Ordinal));

        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Decide_WithoutAt_DecidesAtTheServersNow()
    {
        var now = app.Clock.GetUtcNow();
        var scene = await SceneAsync(alwaysOpen: true, credentialValidity: (null, now.AddDays(1).ToString("O")));
        var later = await SceneAsync(alwaysOpen: true, card: new { format = "H10301", facilityCode = 2, cardNumber = 2 },
            credentialValidity: (now.AddDays(1).ToString("O"), null));

        Assert.Equal("granted", (await DecideAsync(scene, Card, at: null)).Str("reason"));
        Assert.Equal("credentialNotYetValid", (await DecideAsync(later, new { format = "H10301", facilityCode = 2, cardNumber = 2 }, at: null)).Str("reason"));
    }

    [Fact]
    public async Task Decide_UserJoinsAGroupAfterADenial_NextDecisionGrants()
    {
        var scene = await SceneAsync();
        var other = await scene.Org.Owner.NewAccessGroupAsync(scene.ScheduleId, [scene.OtherDoorId]);
        Assert.Equal("noAccessToDoor", (await DecideAsync(scene with { DoorId = scene.OtherDoorId }, Card, MondayNoon)).Str("reason"));

        await (await scene.Org.Owner.PatchAsJsonAsync($"/api/v1/users/{scene.UserId}", new { accessGroupIds = new[] { scene.GroupId, other.Id() } }))
            .AssertStatusAsync(HttpStatusCode.OK);

        var decision = await DecideAsync(scene with { DoorId = scene.OtherDoorId }, Card, MondayNoon);
        Assert.Equal("granted", decision.Str("reason"));
        Assert.Equal(other.Id(), decision.Str("accessGroupId"));
    }

    [Fact]
    public async Task Decide_CardDeletedAfterAGrant_UnknownCredential()
    {
        var scene = await SceneAsync();
        Assert.Equal("granted", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));

        await (await scene.Org.Owner.DeleteAsync($"/api/v1/credentials/{scene.CredentialId}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal("unknownCredential", (await DecideAsync(scene, Card, MondayNoon)).Str("reason"));
    }

    [Theory]
    // Spring forward, Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT. 07:30Z is 03:30 EDT (a fixed EST
    // offset would read 02:30); 08:00Z is 04:00 EDT, the window's exclusive end; 06:30Z is 01:30 EST.
    [InlineData("03:00", "04:00", "2026-03-08T07:30:00Z", "granted")]
    [InlineData("03:00", "04:00", "2026-03-08T08:00:00Z", "outsideSchedule")]
    [InlineData("03:00", "04:00", "2026-03-08T06:30:00Z", "outsideSchedule")]
    // Fall back, Sunday 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:00-02:00 happens twice and the
    // window is open on both passes (05:30Z and 06:30Z); 07:30Z is 02:30 EST, 04:30Z is 00:30 EDT.
    [InlineData("01:00", "02:00", "2026-11-01T05:30:00Z", "granted")]
    [InlineData("01:00", "02:00", "2026-11-01T06:30:00Z", "granted")]
    [InlineData("01:00", "02:00", "2026-11-01T07:30:00Z", "outsideSchedule")]
    [InlineData("01:00", "02:00", "2026-11-01T04:30:00Z", "outsideSchedule")]
    public async Task Decide_NewYorkAroundDaylightSavingChanges_ReadsTheWindowInLocalTime(string start, string end, string at, string reason)
    {
        var scene = await SceneAsync(timeZone: "America/New_York", windows: [new { days = new[] { "Sunday" }, start, end }]);

        Assert.Equal(reason, (await DecideAsync(scene, Card, at)).Str("reason"));
    }

    [Fact]
    public async Task Decide_NewYorkMondayAfterSpringForward_UsesDaylightTime()
    {
        var scene = await SceneAsync(timeZone: "America/New_York");

        // 12:30Z is 08:30 EDT (open); under EST it would be 07:30 (closed). 22:30Z is 18:30 EDT (closed).
        Assert.Equal("granted", (await DecideAsync(scene, Card, "2026-03-09T12:30:00Z")).Str("reason"));
        Assert.Equal("outsideSchedule", (await DecideAsync(scene, Card, "2026-03-09T11:30:00Z")).Str("reason"));
        Assert.Equal("outsideSchedule", (await DecideAsync(scene, Card, "2026-03-09T22:30:00Z")).Str("reason"));
    }

    [Fact]
    public async Task Decide_WritesNoAccessEvent()
    {
        var scene = await SceneAsync();

        await DecideAsync(scene, Card, MondayNoon);
        await DecideAsync(scene, new { csn = "04A224B2" }, MondayNoon);

        Assert.Equal(0, await scene.Org.Owner.TotalAsync("/api/v1/events"));
    }

    [Fact]
    public async Task Decide_DoorOfAnotherOrganizationOrUnknown_404()
    {
        var mine = await SceneAsync();
        var theirs = await SceneAsync();

        var response = await mine.Org.Owner.PostAsJsonAsync(Decisions, new { doorId = theirs.DoorId, at = MondayNoon, card = Card });
        var unknown = await mine.Org.Owner.PostAsJsonAsync(Decisions, new { doorId = Guid.NewGuid(), at = MondayNoon, card = Card });

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
        await unknown.AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(theirs.DoorId, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Decide_CardOfAnotherOrganization_UnknownCredential()
    {
        var mine = await SceneAsync();
        var theirs = await SceneAsync(card: new { format = "H10301", facilityCode = 200, cardNumber = 200 });

        var decision = await DecideAsync(mine, new { format = "H10301", facilityCode = 200, cardNumber = 200 }, MondayNoon);

        Assert.Equal("unknownCredential", decision.Str("reason"));
        Assert.Equal("granted", (await DecideAsync(theirs, new { format = "H10301", facilityCode = 200, cardNumber = 200 }, MondayNoon)).Str("reason"));
    }

    [Fact]
    public async Task Decide_Viewer_MayEvaluateBecauseNothingChanges()
    {
        var scene = await SceneAsync();
        var viewer = await scene.Org.MemberAsync("viewer");

        var response = await viewer.PostAsJsonAsync(Decisions, new { doorId = scene.DoorId, at = MondayNoon, card = Card });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("granted", (await response.JsonAsync()).Str("reason"));
    }

    private static string Bits(string card) => Wiegand.Encode(CardIdentity.Parse(card));

    private static async Task<JsonElement> DecideAsync(Scene scene, object card, string? at)
    {
        var response = await scene.Org.Owner.PostAsJsonAsync(Decisions, new { doorId = scene.DoorId, at, card });
        return await response.JsonAsync();
    }

    /// <summary>
    /// An organization with a site, a door in an access group and a door outside it, a schedule, and a
    /// user in the group holding one card.
    /// </summary>
    private async Task<Scene> SceneAsync(
        string timeZone = "Europe/London",
        object[]? windows = null,
        object[]? holidays = null,
        bool alwaysOpen = false,
        object? card = null,
        string userStatus = "active",
        (string? From, string? Until) userValidity = default,
        (string? From, string? Until) credentialValidity = default)
    {
        var org = await app.NewOrganizationAsync();
        var owner = org.Owner;
        var site = await owner.NewSiteAsync(timeZone: timeZone);
        var door = await owner.NewDoorAsync(site.Id());
        var otherDoor = await owner.NewDoorAsync(site.Id());
        var weekdays = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" };
        var everyDay = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
        var schedule = await owner.CreateAsync("/api/v1/schedules", new
        {
            name = Api.Unique("Schedule"),
            windows = windows ?? [alwaysOpen ? new { days = everyDay, start = "00:00", end = "24:00" } : new { days = weekdays, start = "08:00", end = "18:00" }],
            holidays = holidays ?? [],
        });
        var group = await owner.NewAccessGroupAsync(schedule.Id(), [door.Id()]);
        var user = await owner.CreateAsync("/api/v1/users", new
        {
            firstName = "Ana",
            lastName = "Lima",
            status = userStatus,
            validFrom = userValidity.From,
            validUntil = userValidity.Until,
            accessGroupIds = new[] { group.Id() },
        });

        var fields = JsonSerializer.SerializeToElement(card ?? Card);
        var body = new Dictionary<string, object?>
        {
            ["validFrom"] = credentialValidity.From,
            ["validUntil"] = credentialValidity.Until,
        };
        foreach (var field in fields.EnumerateObject())
        {
            body[field.Name] = field.Value;
        }

        var credential = await owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cards", body);
        return new Scene(org, door.Id(), otherDoor.Id(), schedule.Id(), group.Id(), user.Id(), credential.Id());
    }

    private sealed record Scene(
        TestOrganization Org, string DoorId, string OtherDoorId, string ScheduleId, string GroupId, string UserId, string CredentialId);
}
