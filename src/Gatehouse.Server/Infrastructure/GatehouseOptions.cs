using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server.Infrastructure;

/// <summary>The server's own settings, under <c>Gatehouse</c>.</summary>
internal sealed class GatehouseOptions
{
    public const string Section = "Gatehouse";

    /// <summary>Where the SQLite database, keys and caches live.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// The base of links that leave the system (emails, texts), such as <c>https://gatehouse.example.com</c>.
    /// Without it, messages with links are refused (see <c>PublicLinks</c>).
    /// </summary>
    [AbsoluteHttpUrl]
    public string? PublicBaseUrl { get; set; }

    /// <summary>Seed a demo organization on an empty store.</summary>
    public bool Demo { get; set; }

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}

/// <summary>Empty, or an absolute <c>http</c>/<c>https</c> URL without a query or fragment.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AbsoluteHttpUrlAttribute : ValidationAttribute
{
    public AbsoluteHttpUrlAttribute()
        : base("The {0} field must be an absolute http or https URL, such as https://gatehouse.example.com.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not string { Length: > 0 } text
        || (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0);
}

/// <summary>The first organization and its owner, created on the first start against an empty store.</summary>
internal sealed class BootstrapOptions
{
    public const string Section = "Gatehouse:Bootstrap";

    [MaxLength(200)]
    public string OrganizationName { get; set; } = "My Organization";

    [EmailAddress]
    public string OwnerEmail { get; set; } = "owner@example.com";

    /// <summary>Without one, a password is generated and printed once to the console.</summary>
    public string? OwnerPassword { get; set; }
}
