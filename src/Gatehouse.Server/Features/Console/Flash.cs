namespace Gatehouse.Server.Features.AdminConsole;

internal enum FlashKind
{
    Success,
    Info,
    Error,
}

internal sealed record FlashMessage(FlashKind Kind, string Text);

/// <summary>
/// A message that survives the redirect after a successful post ("Door saved."), carried in a short-lived
/// cookie and shown once by the layout. It is always rendered as text, never as markup.
/// </summary>
internal sealed class Flash(IHttpContextAccessor accessor)
{
    private const string CookieName = "gatehouse.flash";
    private const int MaxLength = 300;

    public void Set(string text, FlashKind kind = FlashKind.Success)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("No request to carry the message.");
        var value = $"{(int)kind}:{(text.Length > MaxLength ? text[..MaxLength] : text)}";
        context.Response.Cookies.Append(CookieName, Uri.EscapeDataString(value), Options(context));
    }

    /// <summary>The pending message, if any; it is cleared so it shows only once.</summary>
    public FlashMessage? Take()
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

        var value = Uri.UnescapeDataString(raw);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 1 || !int.TryParse(value.AsSpan(0, colon), out var kind) || !Enum.IsDefined((FlashKind)kind))
        {
            return null;
        }

        var text = value[(colon + 1)..];
        return text.Length is 0 or > MaxLength ? null : new FlashMessage((FlashKind)kind, text);
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
