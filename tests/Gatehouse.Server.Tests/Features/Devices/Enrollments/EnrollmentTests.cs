using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Devices.Enrollments;

/// <summary>Enrolling a card at a device: what the device captures, a card someone holds, the timeout, cancelling, and refusals.</summary>
public sealed class EnrollmentTests(DevicesApp app) : IClassFixture<DevicesApp>
{
    [Fact]
    public async Task Enroll_CardPresented_CompletesWithTheCardAsTheUsersCredentialAndTurnsTheDeviceGreen()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync("Ana", "Lima");
        await using var device = await DeviceAsync(org, "H10301");

        var started = await StartAsync(org, user.Id(), device);
        Assert.Equal("pending", started.Str("status"));
        Assert.Equal("card", started.Str("kind"));
        Assert.Equal(app.Clock.GetUtcNow().AddSeconds(30), started.GetProperty("expiresAt").GetDateTimeOffset());
        var command = await EnrollCommandAsync(device, started.Id());
        Assert.Equal(EnrollmentKind.Card, command.Kind);
        Assert.Equal(started.GetProperty("expiresAt").GetDateTimeOffset(), command.ExpiresAt);

        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "H10301:1:11572"));

        var done = await WaitForStatusAsync(org, started.Id(), "completed");
        var credential = await org.Owner.GetJsonAsync($"/api/v1/credentials/{done.Str("credentialId")}");
        Assert.Equal(user.Id(), credential.Str("userId"));
        Assert.Equal("H10301", credential.Str("format"));
        Assert.Equal(1, credential.GetProperty("facilityCode").GetInt64());
        Assert.Equal(11572, credential.GetProperty("cardNumber").GetInt64());
        Assert.Equal("active", credential.Str("status"));
        var outcome = await OutcomeAsync(device, command.EnrollmentId);
        Assert.True(outcome.Succeeded);
        Assert.Equal("Card enrolled", outcome.Prompt);

        var audit = await org.Owner.GetJsonAsync($"/api/v1/audit?entityId={done.Str("credentialId")}");
        var created = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("created", created.Str("action"));
        Assert.Contains(created.GetProperty("changes").EnumerateArray(), c => c.Str("field") == "identity" && c.Str("after") == "H10301:1:11572");
    }

    [Fact]
    public async Task Enroll_CardPresented_TheAuditLogCreditsTheCardToTheAdminWhoStartedIt()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync("Ana", "Lima");
        await using var device = await DeviceAsync(org, "H10301");
        var email = $"desk-{Guid.NewGuid():N}@example.com";
        var admin = await org.Owner.CreateAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role = "admin" });
        var desk = await app.SignInAsync(email, GatehouseApp.OwnerPassword);

        var response = await desk.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/cards/enrollments", new { deviceId = device.Id });
        var started = await response.JsonAsync(HttpStatusCode.Accepted);
        var command = await EnrollCommandAsync(device, started.Id());
        // The card is presented later, at the device: no administrator's request is under way then.
        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "H10301:1:11572"));

        var done = await WaitForStatusAsync(org, started.Id(), "completed");
        var audit = await org.Owner.GetJsonAsync($"/api/v1/audit?entityId={done.Str("credentialId")}");
        var created = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("created", created.Str("action"));
        Assert.Equal(email, created.Str("actor"));
        Assert.Equal(admin.Id(), created.Str("actorId"));
        var byAdmin = await org.Owner.GetJsonAsync($"/api/v1/audit?actor={admin.Id()}");
        Assert.Contains(byAdmin.GetProperty("items").EnumerateArray(), e => e.Str("entityId") == done.Str("credentialId"));
        Assert.True((await org.Owner.GetJsonAsync("/api/v1/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Enroll_CsnCard_BecomesACsnCredential()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org, wiegandFormat: null);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "CSN:04A224B2C15E80"));

        var done = await WaitForStatusAsync(org, started.Id(), "completed");
        var credential = await org.Owner.GetJsonAsync($"/api/v1/credentials/{done.Str("credentialId")}");
        Assert.Equal("CSN", credential.Str("format"));
        Assert.Equal("04A224B2C15E80", credential.Str("csn"));
    }

    [Fact]
    public async Task Enroll_CardHeldBySomeoneElse_FailsNamingThemAndTurnsTheDeviceRed()
    {
        var org = await app.NewOrganizationAsync();
        var ana = await org.Owner.NewUserAsync("Ana", "Lima");
        var bo = await org.Owner.NewUserAsync("Bo", "Berg");
        await org.Owner.CreateAsync($"/api/v1/users/{bo.Id()}/credentials/cards", new { format = "H10301", facilityCode = 1, cardNumber = 11572 });
        await using var device = await DeviceAsync(org, "H10301");
        var started = await StartAsync(org, ana.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "H10301:1:11572"));

        var failed = await WaitForStatusAsync(org, started.Id(), "failed");
        Assert.Equal("This card already belongs to Bo Berg.", failed.Str("error"));
        Assert.True(failed.IsNull("credentialId"));
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{ana.Id()}/credentials"));
        var outcome = await OutcomeAsync(device, command.EnrollmentId);
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task Enroll_NoCardWithin30Seconds_TimesOutAndTheDeviceStopsWaiting()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        await EnrollCommandAsync(device, started.Id());
        app.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("pending", (await org.Owner.GetJsonAsync($"/api/v1/enrollments/{started.Id()}")).Str("status"));

        // The sweeper waits on the app's clock: move it on until the sweeper has seen the expiry.
        await TestDevice.WaitUntilAsync(
            async () =>
            {
                app.Clock.Advance(TimeSpan.FromSeconds(1));
                return (await org.Owner.GetJsonAsync($"/api/v1/enrollments/{started.Id()}")).Str("status") == "timedOut";
            },
            "the enrollment to time out");

        var cancel = await TestDevice.WaitForAsync(
            () => device.Commands.OfType<CancelEnrollmentCommand>().FirstOrDefault(c => c.EnrollmentId.ToString() == started.Id()), "the cancel command");
        Assert.Equal("Enrollment timed out", cancel.Prompt);
        var ended = await org.Owner.GetJsonAsync($"/api/v1/enrollments/{started.Id()}");
        Assert.False(ended.IsNull("finishedAt"));
        Assert.Contains("30 seconds", ended.Str("error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_Pending_CancelsAndTellsTheDevice_AndAFinishedOneIs409()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        await EnrollCommandAsync(device, started.Id());

        var cancelled = await (await org.Owner.DeleteAsync($"/api/v1/enrollments/{started.Id()}")).JsonAsync();

        Assert.Equal("cancelled", cancelled.Str("status"));
        var cancel = await TestDevice.WaitForAsync(
            () => device.Commands.OfType<CancelEnrollmentCommand>().FirstOrDefault(c => c.EnrollmentId.ToString() == started.Id()), "the cancel command");
        Assert.Equal("Enrollment cancelled", cancel.Prompt);
        await (await org.Owner.DeleteAsync($"/api/v1/enrollments/{started.Id()}")).AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", (await org.Owner.GetJsonAsync($"/api/v1/enrollments/{started.Id()}")).Str("status"));
    }

    [Fact]
    public async Task Capture_AfterCancel_IsIgnoredAndTheDeviceToldItIsNoLongerOpen()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org, "H10301");
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());
        await (await org.Owner.DeleteAsync($"/api/v1/enrollments/{started.Id()}")).AssertStatusAsync(HttpStatusCode.OK);

        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "H10301:1:11572"));

        var outcome = await OutcomeAsync(device, command.EnrollmentId);
        Assert.False(outcome.Succeeded);
        Assert.Equal("Enrollment is no longer open", outcome.Prompt);
        Assert.Equal("cancelled", (await org.Owner.GetJsonAsync($"/api/v1/enrollments/{started.Id()}")).Str("status"));
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Start_AnotherAtTheSameDevice_CancelsThePendingOne()
    {
        var org = await app.NewOrganizationAsync();
        var ana = await org.Owner.NewUserAsync("Ana", "Lima");
        var bo = await org.Owner.NewUserAsync("Bo", "Berg");
        await using var device = await DeviceAsync(org);
        var first = await StartAsync(org, ana.Id(), device);

        var second = await StartAsync(org, bo.Id(), device);

        var replaced = await org.Owner.GetJsonAsync($"/api/v1/enrollments/{first.Id()}");
        Assert.Equal("cancelled", replaced.Str("status"));
        Assert.Equal("pending", (await org.Owner.GetJsonAsync($"/api/v1/enrollments/{second.Id()}")).Str("status"));
    }

    [Fact]
    public async Task Enrollment_OfAnotherOrganization_Is404()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);

        await (await other.Owner.GetAsync($"/api/v1/enrollments/{started.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await other.Owner.DeleteAsync($"/api/v1/enrollments/{started.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal("pending", (await org.Owner.GetJsonAsync($"/api/v1/enrollments/{started.Id()}")).Str("status"));
    }

    [Fact]
    public async Task Start_DeviceMissingUnknownOrOfAnotherOrganization_Is400NamingDeviceId()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var user = await mine.Owner.NewUserAsync();
        var theirSite = await theirs.Owner.NewSiteAsync();
        var theirDevice = await theirs.Owner.CreateAsync("/api/v1/devices", new { name = "Theirs", model = "F3D100", siteId = theirSite.Id() });
        var url = $"/api/v1/users/{user.Id()}/credentials/cards/enrollments";

        await (await mine.Owner.PostAsJsonAsync(url, new { })).AssertFieldErrorAsync("deviceId");
        await (await mine.Owner.PostAsJsonAsync(url, new { deviceId = Guid.NewGuid() })).AssertFieldErrorAsync("deviceId");
        await (await mine.Owner.PostAsJsonAsync(url, new { deviceId = theirDevice.Id() })).AssertFieldErrorAsync("deviceId");
        await (await mine.Owner.PostRawAsync(url, """{"deviceId": "nope"}""")).AssertFieldErrorAsync("deviceId");
    }

    [Fact]
    public async Task Start_DeviceOffline_Is409NamingIt()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var site = await org.Owner.NewSiteAsync();
        var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = "Desk reader", model = "F3D100", siteId = site.Id() });

        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/cards/enrollments", new { deviceId = device.Id() });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var detail = (await response.ReadJsonAsync()).Text("detail");
        Assert.Contains("Desk reader", detail, StringComparison.Ordinal);
        Assert.Contains("offline", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UserOfAnotherOrganization_Is404_AndUnknownEnrollmentIs404()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirUser = await theirs.Owner.NewUserAsync();
        var site = await mine.Owner.NewSiteAsync();
        var device = await mine.Owner.CreateAsync("/api/v1/devices", new { name = "Reader", model = "F3D100", siteId = site.Id() });

        await (await mine.Owner.PostAsJsonAsync($"/api/v1/users/{theirUser.Id()}/credentials/cards/enrollments", new { deviceId = device.Id() }))
            .AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.GetAsync($"/api/v1/enrollments/{Guid.NewGuid()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync($"/api/v1/enrollments/{Guid.NewGuid()}")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    private static async Task<TestDevice> DeviceAsync(TestOrganization org, string? wiegandFormat = null)
    {
        var door = await org.Owner.NewDoorAsync();
        return await RemoteUnlockTests.OnlineDeviceAsync(org, door.Id(), wiegandFormat);
    }

    private static async Task<JsonElement> StartAsync(TestOrganization org, string userId, TestDevice device)
    {
        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{userId}/credentials/cards/enrollments", new { deviceId = device.Id });
        var started = await response.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal($"/api/v1/enrollments/{started.Id()}", response.Headers.Location?.OriginalString);
        return started;
    }

    private static Task<EnrollCommand> EnrollCommandAsync(TestDevice device, string enrollmentId) =>
        TestDevice.WaitForAsync(
            () => device.Commands.OfType<EnrollCommand>().FirstOrDefault(c => c.EnrollmentId.ToString() == enrollmentId), "the enroll command");

    private static Task<EnrollmentOutcomeCommand> OutcomeAsync(TestDevice device, Guid enrollmentId) =>
        TestDevice.WaitForAsync(
            () => device.Commands.OfType<EnrollmentOutcomeCommand>().FirstOrDefault(c => c.EnrollmentId == enrollmentId), "the outcome command");

    private static async Task<JsonElement> WaitForStatusAsync(TestOrganization org, string enrollmentId, string status)
    {
        JsonElement enrollment = default;
        await TestDevice.WaitUntilAsync(
            async () =>
            {
                enrollment = await org.Owner.GetJsonAsync($"/api/v1/enrollments/{enrollmentId}");
                return enrollment.Str("status") == status;
            },
            $"the enrollment to be {status}");
        return enrollment;
    }
}
