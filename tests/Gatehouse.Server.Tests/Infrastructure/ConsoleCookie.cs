using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// The admin console without a browser: signs in through the sign-in form and keeps the console cookie
/// as a string, so a test can replay it after it should have stopped working.
/// </summary>
public sealed partial class ConsoleCookie
{
    private readonly GatehouseApp _app;

    private ConsoleCookie(GatehouseApp app, string cookie)
    {
        _app = app;
        Value = cookie;
    }

    /// <summary>The <c>Cookie</c> header value carrying the console's session cookie.</summary>
    public string Value { get; private set; }

    public static async Task<ConsoleCookie> SignInAsync(GatehouseApp app, string email, string password, string userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    {
        var console = Anonymous(app);
        var response = await console.PostFormAsync("/account/sign-in", "sign-in",
            new() { ["Input.Email"] = email, ["Input.Password"] = password }, userAgent);
        console.KeepSignIn(response);
        return console;
    }

    /// <summary>Not signed in yet.</summary>
    public static ConsoleCookie Anonymous(GatehouseApp app) => new(app, "");

    /// <summary>Takes the console cookie from a successful sign-in's redirect.</summary>
    public void KeepSignIn(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookies = SetCookies(response).Where(c => c.StartsWith("gatehouse.console", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cookies);
        Value = string.Join("; ", cookies);
    }

    /// <summary>
    /// GET a console page with the cookie: 200 while signed in, a redirect to the sign-in page once not.
    /// A renewed cookie (the sliding expiry) is kept, as a browser would.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", Value);
        var response = await Client().SendAsync(request);
        var renewed = SetCookies(response).Where(c => c.StartsWith("gatehouse.console", StringComparison.Ordinal) && !c.EndsWith('=')).ToList();
        if (response.StatusCode == HttpStatusCode.OK && renewed.Count > 0)
        {
            Value = string.Join("; ", renewed);
        }

        return response;
    }

    /// <summary>True when the cookie still opens the overview.</summary>
    public async Task<bool> IsSignedInAsync()
    {
        var response = await GetAsync("/");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return true;
        }

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.PathAndQuery : response.Headers.Location.OriginalString);
        return false;
    }

    /// <summary>Posts a console form as the browser would: reads the page (<paramref name="formPage"/>, else the path) for its antiforgery token first.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(
        string path, string formName, Dictionary<string, string> fields, string? userAgent = null, string? formPage = null)
    {
        var client = Client();
        using var get = new HttpRequestMessage(HttpMethod.Get, formPage ?? path);
        if (Value.Length > 0)
        {
            get.Headers.Add("Cookie", Value);
        }

        var page = await client.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html).Groups["token"].Value;
        Assert.NotEmpty(token);
        var antiforgery = SetCookies(page).Single(c => c.StartsWith("gatehouse.antiforgery", StringComparison.Ordinal));

        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["_handler"] = formName };
        using var post = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        post.Headers.Add("Cookie", Value.Length > 0 ? $"{Value}; {antiforgery}" : antiforgery);
        if (userAgent is not null)
        {
            post.Headers.UserAgent.ParseAdd(userAgent);
        }

        return await client.SendAsync(post);
    }

    /// <summary>Signs out with the layout's sign-out button.</summary>
    public Task<HttpResponseMessage> SignOutAsync() => PostFormAsync("/account/sign-out", "", [], formPage: "/");

    private HttpClient Client() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : [];

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
