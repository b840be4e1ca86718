using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Features.CloudKeys;
using Gatehouse.Server.Tests.Features.Devices;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The Cloud Key panel of a user's page, and the key's own page on a phone.</summary>
[Trait("Category", "Browser")]
public sealed class CloudKeyTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Panel_TextToAUserWithoutPhone_SaysSoAtTheFieldAndSendsNothing()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { world.GroupId } });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;
        await page.GotoAsync($"/users/{user.Id()}");
        var panel = page.Locator(".cloud-key-panel");

        await Expect(panel).ToContainTextAsync("Ana has no Cloud Key yet");
        await panel.GetByText("Add", new() { Exact = true }).ClickAsync();
        await Expect(panel.GetByLabel("Email")).ToBeCheckedAsync();
        await panel.GetByLabel("Email").UncheckAsync();
        await panel.GetByLabel("Text").CheckAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        await Expect(page.Locator("#key-sendText-error")).ToContainTextAsync("Ana has no phone number on their profile");
        await Expect(panel.GetByLabel("Text")).ToBeCheckedAsync();
        await browser.ScreenshotAsync("user-cloud-key-error");
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        browser.AssertNoProblems();
    }

    [Theory]
    [InlineData(1366, 768)]
    [InlineData(390, 844)]
    public async Task Panel_KeyRow_ShowsItsStateAndEveryActionOnScreen(int width, int height)
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", phone = "+447700900123", accessGroupIds = new[] { world.GroupId } });
        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys",
            new { sendEmail = true, sendText = true, oneTimeUse = true, validFrom = app.Clock.GetUtcNow(), validUntil = app.Clock.GetUtcNow().AddDays(1) });
        await using var browser = await app.SignInAsync(org, width, height);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        var row = page.Locator(".cloud-key-panel tbody tr");
        await Expect(row).ToContainTextAsync("Active");
        await row.ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync($"user-cloud-key-row-{width}");

        var frame = await page.Locator(".cloud-key-panel .table-wrap").EvaluateAsync<int>("e => e.scrollWidth - e.clientWidth");
        Assert.True(frame <= 0, $"The Cloud Key table scrolls {frame} px sideways at {width} px, hiding what is at its right.");
        var tops = new List<float>();
        foreach (var part in new[] { row.Locator("[data-key-state] .badge") }.Concat(await row.Locator(".row-actions .button").Filter(new() { Visible = true }).AllAsync()))
        {
            var box = (await part.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= width, $"“{await part.InnerTextAsync()}” spans {box.X:0}–{box.X + box.Width:0} px on a {width} px screen.");
            tops.Add(box.Y);
        }

        Assert.Equal(5, tops.Count);
        if (width > 600)
        {
            // At a desk the key's four buttons stand on one line.
            Assert.True(tops.Skip(1).Max() - tops.Skip(1).Min() < 1, $"The key's buttons wrap onto {tops.Skip(1).Distinct().Count()} lines at {width} px.");
        }

        Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task KeyPage_ShowsTheValidityAsItsEmailDoes_24HourWithTheSitesTimeZone()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync("London office", "Europe/London");
        var door = await org.Owner.NewDoorAsync(site.Id(), "Front door");
        var schedule = await org.Owner.CreateAsync("/api/v1/schedules", new
        {
            name = "Always",
            windows = new[] { new { days = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" }, start = "00:00", end = "24:00" } },
        });
        var group = await org.Owner.NewAccessGroupAsync(schedule.Id(), [door.Id()], "Staff");
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { group.Id() } });
        // Six in the evening in London, whatever the test's clock says.
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var day = TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), london).Date.AddDays(2);
        var until = new DateTimeOffset(day.AddHours(18), london.GetUtcOffset(day.AddHours(18)));
        var key = await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys", new { sendEmail = true, validUntil = until });
        var received = await app.ReceivedAsync(key.Id());
        var expected = $"{until.ToString("ddd d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}, 18:00 (Europe/London)";
        Assert.Contains($"valid until {expected}", received.Text, StringComparison.Ordinal);

        await using var phone = await app.OpenAsync(390, 844);
        await phone.Page.GotoAsync(new Uri(received.Link).PathAndQuery);
        var validity = phone.Page.Locator("[data-validity]");
        await Expect(validity).ToHaveTextAsync($"Valid until {expected}");
        await phone.ScreenshotAsync("cloud-key-page-validity");
        await Expect(phone.Page.Locator("main")).Not.ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\b(AM|PM)\b"));
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task DevMailbox_ShowsTheCapturedEmail_WhoseLinkOpensTheKeysPage()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { world.GroupId } });
        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys", new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });
        await using var admin = await app.SignInAsync(org);
        var page = admin.Page;

        await admin.MenuAsync("Settings");
        await Expect(page.Locator("#messages-title + p")).ToHaveTextAsync("Messages to users are captured in the Dev mailbox, not sent.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the Dev mailbox" }).ClickAsync();
        await Expect(page.Locator("[data-messaging-mode]")).ToContainTextAsync("Messages are captured here, not sent");
        var message = page.Locator(".mailbox-item");
        await TestDevice.WaitUntilAsync(async () =>
        {
            await page.ReloadAsync();
            return (await message.First.InnerTextAsync()).Contains("Captured", StringComparison.Ordinal);
        }, "the message to be captured");
        await Expect(message).ToHaveCountAsync(1);
        await Expect(message).ToContainTextAsync("ana@example.com");
        await Expect(message).ToContainTextAsync("Your Cloud Key for");
        await Expect(message).ToContainTextAsync("Your PIN:");
        await admin.ScreenshotAsync("settings-mailbox");
        admin.AssertNoProblems();

        // The link is on the public base URL (gatehouse.test in tests): follow its path on this server.
        var link = message.Locator(".mailbox-body a");
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        var href = await link.GetAttributeAsync("href");
        Assert.StartsWith("http://gatehouse.test/k/", href, StringComparison.Ordinal);
        await page.GotoAsync(new Uri(href!).PathAndQuery);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Hello Ana");
        await Expect(page.Locator(".door")).ToContainTextAsync("Open for you now");
    }

    [Fact]
    public async Task Revoke_FromThePanel_TheKeysPageCanNoLongerUnlock()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { world.GroupId } });
        var key = await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys", new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });
        var received = await app.ReceivedAsync(key.Id());
        await using var phone = await app.OpenAsync(390, 844);
        await phone.Page.GotoAsync(new Uri(received.Link).PathAndQuery);
        await Expect(phone.Page.Locator(".door")).ToContainTextAsync("Open for you now");
        await using var admin = await app.SignInAsync(org);
        var console = admin.Page;

        await console.GotoAsync($"/users/{user.Id()}");
        var panel = console.Locator(".cloud-key-panel");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Revoke key" }).ClickAsync();
        await Expect(console.GetByRole(AriaRole.Status)).ToContainTextAsync("Cloud Key revoked.");
        await Expect(panel.Locator("tbody tr")).ToContainTextAsync("Revoked");

        var door = phone.Page.Locator(".door");
        await door.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await door.GetByLabel("PIN for Front door").FillAsync(received.Pin);
        await door.GetByRole(AriaRole.Button, new() { Name = "Unlock", Exact = true }).ClickAsync();
        await Expect(door.Locator("[data-result]")).ToHaveTextAsync("This Cloud Key has been revoked.");
        await Expect(door.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" })).ToBeDisabledAsync();
        await phone.Page.ReloadAsync();
        await Expect(phone.Page.Locator("[data-banner]")).ToHaveTextAsync("This Cloud Key has been revoked.");
        admin.AssertNoProblems();
    }
}

/// <summary>The whole Cloud Key flow with the email really sent: console, SMTP server, phone, device, events.</summary>
[Trait("Category", "Browser")]
public sealed class CloudKeyMailTests(ConsoleApp.WithSmtp app) : IClassFixture<ConsoleApp.WithSmtp>
{
    [Fact]
    public async Task SendOpenAndUnlock_OnAPhone_WrongPinRefusedRightPinOpensAndTheEventShows()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { world.GroupId } });
        await using var device = await RemoteUnlockTests.OnlineDeviceAsync(org, world.DoorId);
        await using var admin = await app.SignInAsync(org);
        var console = admin.Page;

        // The admin sends a one-time key by email from the user's page.
        await console.GotoAsync($"/users/{user.Id()}");
        var panel = console.Locator(".cloud-key-panel");
        await panel.GetByText("Add", new() { Exact = true }).ClickAsync();
        await panel.GetByLabel("Use one time only").CheckAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(console.GetByRole(AriaRole.Status)).ToContainTextAsync("Cloud Key sent to Ana by email.");
        var row = panel.Locator("tbody tr");
        await Expect(row).ToContainTextAsync("Active");
        await Expect(row).ToContainTextAsync("One time only");
        await admin.ScreenshotAsync("user-cloud-key");
        admin.AssertNoProblems();

        var key = Assert.Single((await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials")).GetProperty("items").EnumerateArray());
        var email = Assert.Single(await app.Smtp.WaitForAsync(), m => m.To.Mailboxes.Any(t => t.Address == "ana@example.com"));
        var received = CloudKeyTesting.Parse(email.TextBody!);
        Assert.Contains(received.Link, email.HtmlBody, StringComparison.Ordinal);

        // Ana opens the link on her phone.
        await using var phone = await app.OpenAsync(390, 844);
        var keyPage = phone.Page;
        await keyPage.GotoAsync(new Uri(received.Link).PathAndQuery);
        await Expect(keyPage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Hello Ana");
        var door = keyPage.Locator(".door", new() { HasText = "Front door" });
        await Expect(door).ToContainTextAsync("Open for you now");
        await phone.ScreenshotAsync("cloud-key-page");

        await door.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await door.GetByLabel("PIN for Front door").FillAsync(CloudKeyTesting.WrongPin(received.Pin));
        await door.GetByRole(AriaRole.Button, new() { Name = "Unlock", Exact = true }).ClickAsync();
        await Expect(door.Locator("[data-result]")).ToHaveTextAsync("Wrong PIN. 4 attempts left.");
        Assert.Empty(device.Commands.OfType<UnlockCommand>());
        await phone.ScreenshotAsync("cloud-key-wrong-pin");

        await door.GetByLabel("PIN for Front door").FillAsync(received.Pin);
        await door.GetByRole(AriaRole.Button, new() { Name = "Unlock", Exact = true }).ClickAsync();
        await Expect(door.Locator("[data-result]")).ToHaveTextAsync("Door unlocked: Front door");
        await Expect(keyPage.Locator("[data-banner]")).ToHaveTextAsync("This one-time Cloud Key has been used.");
        await phone.ScreenshotAsync("cloud-key-unlocked");
        Assert.DoesNotContain(phone.Problems, p => !p.Contains("status of 403", StringComparison.Ordinal));

        // The door's device carries out the command and reports it, as a reader does.
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        await device.PublishEventsAsync(new DeviceEvent(command.Id, command.IssuedAt.AddMilliseconds(30), command.DoorId, DeviceEvent.RemoteUnlock, true, "granted"));
        await TestDevice.WaitForAsync(() => device.Acks.FirstOrDefault(a => a.Ids.Contains(command.Id)), "the ack of the device's report");

        await console.GotoAsync("/events");
        var unlocked = console.Locator("tbody tr", new() { HasText = "Granted" });
        await Expect(unlocked).ToHaveCountAsync(1);
        await Expect(unlocked).ToContainTextAsync("Ana Lima");
        await Expect(unlocked).ToContainTextAsync("Front door");
        await Expect(unlocked).ToContainTextAsync("Cloud Key");
        await Expect(console.Locator("tbody tr", new() { HasText = "Wrong PIN" })).ToHaveCountAsync(1);
        await admin.ScreenshotAsync("events-cloud-key");

        await console.GotoAsync($"/users/{user.Id()}");
        await Expect(console.Locator(".cloud-key-panel tbody tr")).ToContainTextAsync("Used");
        admin.AssertNoProblems();
    }
}
