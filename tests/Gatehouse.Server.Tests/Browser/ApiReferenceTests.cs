using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The interactive API reference at <c>/api</c>, as a reader sees it.</summary>
[Trait("Category", "Browser")]
public sealed class ApiReferenceTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Theory]
    [InlineData(1366, 768)]
    [InlineData(390, 844)]
    public async Task Reference_ShowsTheApiWithoutItsToolsPromotions(int width, int height)
    {
        await using var browser = await app.OpenAsync(width, height);
        var page = browser.Page;

        await page.GotoAsync("/api");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Gatehouse API" }).First).ToBeVisibleAsync();
        await Expect(page.GetByText("Enrollments").First).ToBeAttachedAsync();
        // The top of the page only: the whole reference is many screens long.
        await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleApp.ScreenshotDirectory, $"api-reference-{width}.png") });

        var text = await page.Locator("body").InnerTextAsync();
        foreach (var promotion in new[] { "Deploy", "Generate SDK", "Configure" })
        {
            Assert.False(text.Contains(promotion, StringComparison.OrdinalIgnoreCase), $"The reference shows “{promotion}”: …{Around(text, promotion)}…");
        }

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Deploy" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Generate SDK" })).ToHaveCountAsync(0);
    }

    private static string Around(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase);
        var start = Math.Max(0, at - 60);
        return text[start..Math.Min(text.Length, at + word.Length + 60)].ReplaceLineEndings(" ");
    }
}
