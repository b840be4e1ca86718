using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Features.CloudKeys;

/// <summary>The key's page and its two public endpoints: <c>GET /public/cloud-keys/{token}</c> and <c>POST …/unlock</c>.</summary>
public sealed class CloudKeyPublicTests(CloudKeysApp app) : IClassFixture<CloudKeysApp>
{
    [Fact]
    public async Task Unlock_RightPin_OpensTheDoorThroughItsDeviceAndRecordsACloudKeyEvent()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        var response = await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin);

        var unlocked = await response.JsonAsync();
        Assert.True(unlocked.GetProperty("unlocked").GetBoolean());
        var command = await TestDevice.WaitForAsync(() => scene.Device!.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        Assert.Equal(Guid.Parse(scene.DoorId), command.DoorId);
        var accessEvent = Assert.Single((await scene.Owner.GetJsonAsync($"/api/v1/events?doorId={scene.DoorId}")).GetProperty("items").EnumerateArray());
        Assert.Equal(command.Id.ToString(), accessEvent.Id());
        Assert.Equal(("cloudKey", "cloudKey", "granted"), (accessEvent.Str("source"), accessEvent.Str("credentialType"), accessEvent.Str("reason")));
        Assert.Equal((key.Id(), scene.UserId), (accessEvent.Str("credentialId"), accessEvent.Str("userId")));
        Assert.Equal("Noor Haddad", accessEvent.Str("userName"));
    }

    [Fact]
    public async Task GetPage_ShowsOrganizationUserAndDoors_AndChangesNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var later = await LaterDoorAsync(scene);
        var key = await scene.NewKeyAsync(validUntil: app.Clock.GetUtcNow().AddDays(7));
        var received = await app.ReceivedAsync(key.Id());
        var anonymous = app.Anonymous();
        var before = await scene.Owner.GetJsonAsync($"/api/v1/credentials/{key.Id()}");

        var response = await anonymous.GetAsync($"/api/v1/public/cloud-keys/{received.Token}");
        var again = await anonymous.GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}");

        var page = await response.JsonAsync();
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal((await scene.Owner.GetJsonAsync("/api/v1/organization")).Str("name"), page.Str("organizationName"));
        Assert.Equal((KeyScene.FirstName, "active"), (page.Str("firstName"), page.Str("status")));
        var doors = page.GetProperty("doors").EnumerateArray().ToDictionary(d => d.Id());
        Assert.True(doors[scene.DoorId].GetProperty("openNow").GetBoolean());
        Assert.False(doors[later.DoorId].GetProperty("openNow").GetBoolean());
        Assert.Equal(later.OpensAt, doors[later.DoorId].GetProperty("nextOpenAt").GetDateTimeOffset());
        Assert.Equal(page.ToString(), again.ToString());
        var after = await scene.Owner.GetJsonAsync($"/api/v1/credentials/{key.Id()}");
        Assert.Equal(before.ToString(), after.ToString());
        Assert.Equal(0, await scene.Owner.TotalAsync("/api/v1/events"));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task GetPageAndUnlock_UnknownToken_Is404(string token)
    {
        var anonymous = app.Anonymous();

        await (await anonymous.GetAsync($"/api/v1/public/cloud-keys/{token}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await anonymous.UnlockAsync(token, Guid.NewGuid().ToString(), "123456")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task KeyPage_IsServedWithoutReferrerAndWithAStrictPolicy()
    {
        var response = await app.Anonymous().GetAsync($"/k/{new string('A', 43)}");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("/cloud-key/cloud-key.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlock_WrongPin_Is403WrongPinWithAttemptsLeftAndRecordsTheAttempt()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, CloudKeyTesting.WrongPin(received.Pin)))
            .JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal(("wrongPin", 4), (refused.Str("reason"), refused.GetProperty("attemptsLeft").GetInt32()));
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
        var attempt = Assert.Single((await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray());
        Assert.Equal(("wrongPin", "cloudKey"), (attempt.Str("reason"), attempt.Str("source")));
        Assert.False(attempt.GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task Unlock_MalformedPin_Is400NamingPinAndCountsNoAttempt()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, "12ab")).AssertFieldErrorAsync("pin");

        Assert.Equal(0, (await scene.Owner.GetJsonAsync($"/api/v1/credentials/{key.Id()}")).GetProperty("cloudKey").GetProperty("failedPinAttempts").GetInt32());
    }

    [Fact]
    public async Task Unlock_FiveWrongPins_LocksTheKeyUntilAnAdminClearsTheLock()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());
        var anonymous = app.Anonymous();
        var wrong = CloudKeyTesting.WrongPin(received.Pin);

        for (var i = 1; i <= 4; i++)
        {
            var refused = await (await anonymous.UnlockAsync(received.Token, scene.DoorId, wrong)).JsonAsync(HttpStatusCode.Forbidden);
            Assert.Equal(5 - i, refused.GetProperty("attemptsLeft").GetInt32());
        }

        var fifth = await (await anonymous.UnlockAsync(received.Token, scene.DoorId, wrong)).JsonAsync(HttpStatusCode.Locked);
        Assert.Equal("locked", fifth.Str("reason"));
        var rightButLocked = await (await anonymous.UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Locked);
        Assert.Equal("locked", rightButLocked.Str("reason"));
        Assert.Equal("locked", (await anonymous.GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
        Assert.Equal("locked", (await scene.Owner.GetJsonAsync($"/api/v1/credentials/{key.Id()}")).GetProperty("cloudKey").Str("state"));
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
        var audit = await scene.Owner.GetJsonAsync($"/api/v1/audit?entityId={key.Id()}");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.Str("action") == "locked");

        var cleared = await (await scene.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/clear-lock", null)).JsonAsync();

        Assert.Equal("active", cleared.GetProperty("cloudKey").Str("state"));
        await (await anonymous.UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync();
        await TestDevice.WaitForAsync(() => scene.Device.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
    }

    [Fact]
    public async Task Unlock_FifthWrongPinNamingADoorOfNoOrganization_LocksTheKeyAndAuditsTheLock()
    {
        // No access event is written for a door the organization does not have, so nothing else saves the lock's audit note.
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());
        var anonymous = app.Anonymous();
        var wrong = CloudKeyTesting.WrongPin(received.Pin);
        var nowhere = Guid.NewGuid().ToString();
        for (var i = 1; i <= 4; i++)
        {
            await (await anonymous.UnlockAsync(received.Token, nowhere, wrong)).AssertStatusAsync(HttpStatusCode.Forbidden);
        }

        var fifth = await (await anonymous.UnlockAsync(received.Token, nowhere, wrong)).JsonAsync(HttpStatusCode.Locked);

        Assert.Equal("locked", fifth.Str("reason"));
        var audit = await scene.Owner.GetJsonAsync($"/api/v1/audit?entityId={key.Id()}");
        Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.Str("action") == "locked");
    }

    [Fact]
    public async Task Unlock_ConcurrentWrongPins_EachCountsAndTheKeyLocksOnce()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());
        var wrong = CloudKeyTesting.WrongPin(received.Pin);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => app.Anonymous().UnlockAsync(received.Token, scene.DoorId, wrong)));

        Assert.Equal(4, answers.Count(a => a.StatusCode == HttpStatusCode.Forbidden));
        Assert.Equal(8, answers.Count(a => a.StatusCode == HttpStatusCode.Locked));
        var audit = await scene.Owner.GetJsonAsync($"/api/v1/audit?entityId={key.Id()}");
        Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.Str("action") == "locked");
    }

    [Fact]
    public async Task Unlock_OneTimeKeyTwentyAtOnce_OpensTheDoorExactlyOnce()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync(oneTimeUse: true);
        var received = await app.ReceivedAsync(key.Id());

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var refusals = answers.Where(a => a.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(19, refusals.Count);
        foreach (var refusal in refusals)
        {
            Assert.Equal("used", (await refusal.JsonAsync(HttpStatusCode.Forbidden)).Str("reason"));
        }

        await TestDevice.WaitForAsync(() => scene.Device!.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        var events = (await scene.Owner.GetJsonAsync("/api/v1/events?pageSize=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(events, e => e.GetProperty("granted").GetBoolean());
        Assert.Equal(19, events.Count(e => e.Str("reason") == "credentialUsed"));
        Assert.Single(scene.Device!.Commands.OfType<UnlockCommand>());
        Assert.Equal("used", (await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
    }

    [Fact]
    public async Task Unlock_OneTimeKeyWhenTheDeviceIsUnreachable_Is409AndTheKeyIsNotSpent()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync(oneTimeUse: true);
        var received = await app.ReceivedAsync(key.Id());

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Conflict);

        Assert.Equal("deviceUnavailable", refused.Str("reason"));
        Assert.Contains("Main entrance", refused.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("active", (await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
    }

    [Fact]
    public async Task Unlock_OneTimeKeyWhenTheDoorNeverConfirms_Is504DoorDidNotAnswerAndTheKeyIsNotSpent()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        scene.Device!.ConfirmsUnlocks = false;
        var key = await scene.NewKeyAsync(oneTimeUse: true);
        var received = await app.ReceivedAsync(key.Id());

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.GatewayTimeout);

        Assert.Equal("doorDidNotAnswer", refused.Str("reason"));
        Assert.Single(scene.Device.Commands.OfType<UnlockCommand>());
        Assert.Equal("active", (await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
        Assert.Equal(0, await scene.Owner.TotalAsync("/api/v1/events?result=granted"));

        // The door answers again: the same key opens it, once.
        scene.Device.ConfirmsUnlocks = true;
        var unlocked = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync();
        Assert.True(unlocked.GetProperty("unlocked").GetBoolean());
        Assert.Equal("used", (await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
    }

    [Fact]
    public async Task Unlock_ExpiredKey_Is403Expired()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());
        var now = app.Clock.GetUtcNow();
        await (await scene.Owner.PatchJsonAsync($"/api/v1/credentials/{key.Id()}", new { validFrom = now.AddDays(-2), validUntil = now.AddMinutes(-1) })).JsonAsync();

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("expired", refused.Str("reason"));
        Assert.Equal("expired", (await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
        var attempt = Assert.Single((await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray());
        Assert.Equal("credentialExpired", attempt.Str("reason"));
    }

    [Fact]
    public async Task Unlock_NotYetValidKey_Is403NotYetValidAndThePageSaysWhenTheDoorOpens()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        // Whole seconds: PostgreSQL keeps microseconds, the test clock ticks.
        var now = app.Clock.GetUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddHours(3);
        var key = await scene.NewKeyAsync(validFrom: from, validUntil: from.AddDays(1));
        var received = await app.ReceivedAsync(key.Id());

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("notYetValid", refused.Str("reason"));
        // As the email writes it, in the key's zone (the scene's site is on UTC), not as a machine stamp.
        Assert.Equal(
            $"This Cloud Key is not valid yet: it opens from {from.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture)} (UTC).",
            refused.Str("detail"));
        var page = await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}");
        Assert.Equal("notYetValid", page.Str("status"));
        var door = Assert.Single(page.GetProperty("doors").EnumerateArray());
        Assert.Equal(from, door.GetProperty("nextOpenAt").GetDateTimeOffset());
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
    }

    [Fact]
    public async Task Unlock_RevokedKey_Is403RevokedAtOnce()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());
        await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync();

        await (await scene.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/revoke", null)).JsonAsync();

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Forbidden);
        Assert.Equal("revoked", refused.Str("reason"));
        Assert.Equal("revoked", (await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
        var events = (await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["credentialRevoked", "granted"], events.Select(e => e.Str("reason")));
    }

    [Fact]
    public async Task Unlock_DoorTheSchedulesDoNotOpenNow_Is403OutsideSchedule()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var later = await LaterDoorAsync(scene);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        var refused = await (await app.Anonymous().UnlockAsync(received.Token, later.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("outsideSchedule", refused.Str("reason"));
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
        var attempt = Assert.Single((await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray());
        Assert.Equal(("outsideSchedule", later.DoorId), (attempt.Str("reason"), attempt.Str("doorId")));
    }

    [Fact]
    public async Task Unlock_DoorOfNoGroupOfTheUserOrOfAnotherOrganization_Is403NoAccessToDoor()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var elsewhere = await scene.Owner.NewDoorAsync(scene.SiteId, "Server room");
        var theirs = await (await app.NewOrganizationAsync()).Owner.NewDoorAsync();
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        foreach (var door in new[] { elsewhere.Id(), theirs.Id() })
        {
            var refused = await (await app.Anonymous().UnlockAsync(received.Token, door, received.Pin)).JsonAsync(HttpStatusCode.Forbidden);
            Assert.Equal("noAccessToDoor", refused.Str("reason"));
        }

        var attempt = Assert.Single((await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray());
        Assert.Equal(elsewhere.Id(), attempt.Str("doorId"));
    }

    [Fact]
    public async Task Logs_NeverHoldTheTokenOrThePin()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync(sendText: true);
        var received = await app.ReceivedAsync(key.Id());
        var anonymous = app.Anonymous();
        await anonymous.GetAsync($"/k/{received.Token}");
        await anonymous.GetAsync($"/api/v1/public/cloud-keys/{received.Token}");
        await anonymous.UnlockAsync(received.Token, scene.DoorId, CloudKeyTesting.WrongPin(received.Pin));
        await (await anonymous.UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync();

        Assert.Contains(app.Logs.Lines, l => l.Message.Contains(key.Id(), StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(received.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(received.Pin, StringComparison.Ordinal) && l.Category.Contains("CloudKey", StringComparison.Ordinal));
    }

    /// <summary>A second door of the user's, in a group whose schedule opens it only in three days at 10:00 UTC.</summary>
    private static async Task<(string DoorId, DateTimeOffset OpensAt)> LaterDoorAsync(KeyScene scene)
    {
        var now = scene.Org.App.Clock.GetUtcNow();
        var day = now.UtcDateTime.Date.AddDays(3);
        var door = await scene.Owner.NewDoorAsync(scene.SiteId, "Loading dock");
        var schedule = await scene.Owner.CreateAsync("/api/v1/schedules", new
        {
            name = "Later",
            windows = new[] { new { days = new[] { day.DayOfWeek.ToString() }, start = "10:00", end = "11:00" } },
        });
        var group = await scene.Owner.NewAccessGroupAsync(schedule.Id(), [door.Id()]);
        await (await scene.Owner.PatchJsonAsync($"/api/v1/users/{scene.UserId}", new { accessGroupIds = new[] { scene.GroupId, group.Id() } })).JsonAsync();
        return (door.Id(), new DateTimeOffset(day.AddHours(10), TimeSpan.Zero));
    }
}

/// <summary>The public endpoints' per-client limit.</summary>
public sealed class CloudKeyRateLimitTests(CloudKeyRateLimitTests.LimitedApp app) : IClassFixture<CloudKeyRateLimitTests.LimitedApp>
{
    public sealed class LimitedApp : CloudKeysApp
    {
        protected override int PublicRequestsPerMinute => 3;
    }

    [Fact]
    public async Task PublicCalls_OverTheLimit_Are429WithRetryAfter()
    {
        var anonymous = app.Anonymous();
        var token = new string('B', 43);
        for (var i = 0; i < 3; i++)
        {
            await (await anonymous.GetAsync($"/api/v1/public/cloud-keys/{token}")).AssertStatusAsync(HttpStatusCode.NotFound);
        }

        var limited = await anonymous.UnlockAsync(token, Guid.NewGuid().ToString(), "123456");

        await limited.AssertStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter is not null);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var problem = await limited.ReadJsonAsync();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains("Try again in 60 seconds", problem.Str("detail"), StringComparison.Ordinal);
    }
}
