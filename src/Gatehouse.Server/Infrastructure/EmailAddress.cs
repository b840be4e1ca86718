using System.Net.Mail;

namespace Gatehouse.Server.Infrastructure;

internal static class EmailAddress
{
    /// <summary>A single plain address such as <c>ana@example.com</c> (no display name).</summary>
    public static bool IsValid(string value) =>
        value.Length <= 254 && PlainText.IsClean(value) && MailAddress.TryCreate(value.Trim(), out var parsed) && parsed.Address == value.Trim() && parsed.Host.Contains('.', StringComparison.Ordinal);
}
