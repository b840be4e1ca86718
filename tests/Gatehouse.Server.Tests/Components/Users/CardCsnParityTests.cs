using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Components.Users;

/// <summary>
/// A CSN typed into the console's Card form and one sent to the API are read by the same rule: what one
/// accepts the other accepts, stored as the same plain upper-case hex, and what one refuses the other refuses.
/// </summary>
public sealed partial class CardCsnParityTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    [Theory]
    [InlineData("de:ad:be:ef", "DEADBEEF")]
    [InlineData("DE-AD-BE-EF", "DEADBEEF")]
    [InlineData("de ad be ef", "DEADBEEF")]
    [InlineData("deadbeef", "DEADBEEF")]
    [InlineData("04:a2:24:b2:c1:5e:80", "04A224B2C15E80")]
    [InlineData("dead:beef", null)]
    [InlineData("de:ad-be:ef", null)]
    [InlineData("de:ad:be", null)]
    [InlineData("0xdeadbeef", null)]
    public async Task AddCard_SameCsnText_ConsoleAndApiAgree(string typed, string? stored)
    {
        // Two organizations, as the same card may be held only once in one.
        var viaApi = await app.NewOrganizationAsync();
        var viaConsole = await app.NewOrganizationAsync();
        var apiUser = await viaApi.Owner.NewUserAsync();
        var consoleUser = await viaConsole.Owner.NewUserAsync();
        using var console = await app.SignInToConsoleAsync(viaConsole.OwnerEmail, GatehouseApp.OwnerPassword);

        var api = await viaApi.Owner.PostAsJsonAsync(Cards(apiUser), new { format = "CSN", csn = typed });
        var form = await AddInConsoleAsync(console, consoleUser.Id(), typed);

        Assert.Equal(stored is not null, api.StatusCode == HttpStatusCode.Created);
        Assert.True(form.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.SeeOther, $"The console answered {(int)form.StatusCode}.");
        Assert.Equal(stored, await StoredCsnAsync(viaApi.Owner, apiUser.Id()));
        Assert.Equal(stored, await StoredCsnAsync(viaConsole.Owner, consoleUser.Id()));
    }

    private static async Task<HttpResponseMessage> AddInConsoleAsync(HttpClient console, string userId, string csn)
    {
        var page = await console.GetStringAsync($"/users/{userId}");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "The user's page has no antiforgery token.");
        return await console.PostAsync($"/users/{userId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "add-card",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["format"] = "CSN",
            ["csn"] = csn,
            ["validFrom"] = "",
            ["validUntil"] = "",
        }));
    }

    private static async Task<string?> StoredCsnAsync(HttpClient owner, string userId)
    {
        var cards = await owner.GetJsonAsync($"/api/v1/users/{userId}/credentials");
        return cards.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("csn").GetString()).SingleOrDefault();
    }

    private static string Cards(System.Text.Json.JsonElement user) => $"/api/v1/users/{user.Id()}/credentials/cards";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
