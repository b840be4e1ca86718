using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// The admin console over plain HTTP (no browser): signs in through the sign-in page's form, as a
/// person would, and keeps the session's cookie; redirects are not followed, so a test sees each answer.
/// </summary>
internal static partial class ConsoleClient
{
    public static async Task<HttpClient> SignInToConsoleAsync(this GatehouseApp app, string email, string password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await client.GetStringAsync("/account/sign-in");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "The sign-in page has no antiforgery token.");
        var response = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther, $"Signing in to the console answered {(int)response.StatusCode}.");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
