using Gatehouse.Server.Tests.Features;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// The confirmation boxes of a table row (delete a card, revoke a Cloud Key) read like the one outside a
/// table (delete a user): the title at the left and the whole sentence on screen, at desk and phone width.
/// </summary>
[Trait("Category", "Browser")]
public sealed class ConfirmDialogTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    public static TheoryData<int, int> Widths => new() { { 1366, 768 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task RowConfirmations_ShowTheirTitleAndSentenceWhole(int width, int height)
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { world.GroupId } });
        await ConsoleWorld.NewCardAsync(org.Owner, user.Id());
        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys", new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });
        await using var browser = await app.SignInAsync(org, width, height);
        var page = browser.Page;
        await page.GotoAsync($"/users/{user.Id()}");

        foreach (var (panel, button, title, sentence, shot) in new[]
        {
            (".credential-panel:not(.cloud-key-panel)", "Delete", "Delete this card?", "will no longer open any door. This cannot be undone.", "confirm-delete-card"),
            (".cloud-key-panel", "Revoke", "Revoke this Cloud Key?", "To give Ana access again, add a new key.", "confirm-revoke-key"),
            (".danger-zone", "Delete user", "Delete this user?", null, "confirm-delete-user"),
        })
        {
            await page.Locator(panel).GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = title });
            await Expect(dialog).ToBeVisibleAsync();
            if (sentence is not null)
            {
                await Expect(dialog.Locator(".dialog-text")).ToContainTextAsync(sentence);
            }

            await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleApp.ScreenshotDirectory, $"{shot}-{width}.png") });
            await AssertWholeAsync(page, dialog, title, width);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
        }

        browser.AssertNoProblems();
    }

    /// <summary>Inside the screen, the title starting at the dialog's left, and no text cut off or scrolled away.</summary>
    private static async Task AssertWholeAsync(IPage page, ILocator dialog, string title, int width)
    {
        var box = (await dialog.BoundingBoxAsync())!;
        Assert.True(box.X >= 0 && box.X + box.Width <= width, $"“{title}” spans {box.X:0}–{box.X + box.Width:0} px on a {width} px screen.");
        foreach (var part in new[] { ".dialog-title", ".dialog-text", ".dialog-actions" })
        {
            var element = dialog.Locator(part);
            var partBox = (await element.BoundingBoxAsync())!;
            Assert.True(partBox.X >= box.X && partBox.X + partBox.Width <= box.X + box.Width + 0.5,
                $"{part} of “{title}” spans {partBox.X:0}–{partBox.X + partBox.Width:0} px, outside its box {box.X:0}–{box.X + box.Width:0} px.");
            var hidden = await element.EvaluateAsync<double>("e => e.scrollWidth - e.clientWidth");
            Assert.True(hidden <= 0, $"{part} of “{title}” has {hidden} px of text cut off.");
        }

        // The title reads from the left, as in the box outside a table, not pushed to the right.
        var titleText = await dialog.Locator(".dialog-title").EvaluateAsync<double>(
            "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect().left - e.getBoundingClientRect().left; }");
        Assert.True(titleText < 2, $"The title “{title}” starts {titleText:0} px right of the dialog's text edge.");
        var sentenceEnd = await dialog.Locator(".dialog-text").EvaluateAsync<double>(
            "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect().right; }");
        Assert.True(sentenceEnd <= box.X + box.Width, $"The sentence of “{title}” runs on to {sentenceEnd:0} px, past its box at {box.X + box.Width:0} px.");
        Assert.True(await dialog.EvaluateAsync<double>("e => e.scrollWidth - e.clientWidth") <= 0, $"“{title}” scrolls sideways.");
        Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
    }
}
