namespace Gatehouse.Server.Features.AdminConsole;

/// <summary>
/// A message that survives the redirect after a successful post ("Door saved."), carried in a short-lived
/// cookie and shown once by the layout. It is always rendered as text, never as markup.
/// </summary>
internal sealed class Flash(IHttpContextAccessor accessor)
{
    private const string CookieName = "gatehouse.flash";
    private const int MaxLength = 300;

    public void Set(string text)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("No request to carry the message.");
        context.Response.Cookies.Append(CookieName, Uri.EscapeDataString(text.Length > MaxLength ? text[..MaxLength] : text), Options(context));
    }

    /// <summary>The pending message, if any; it is cleared so it shows only once.</summary>
    public string? Take()
    {
        var context = accessor.HttpContext;
        if (context is null || !context.Request.Cookies.TryGetValue(CookieName, out var raw) || string.IsNullOrEmpty(raw))
        {
            return null;
        }

        if (!context.Response.HasStarted)
        {
            context.Response.Cookies.Delete(CookieName, Options(context));
        }

        var text = Uri.UnescapeDataString(raw);
        return text.Length > MaxLength ? null : text;
    }

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = TimeSpan.FromMinutes(1),
        IsEssential = true,
    };
}
