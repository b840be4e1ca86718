using Gatehouse.Server.Features.Credentials;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>The protocol's spelling of server enums (the same as the REST API's).</summary>
internal static class DeviceNames
{
    private static readonly Dictionary<string, CredentialType> CredentialTypes = new(StringComparer.Ordinal)
    {
        ["card"] = Credentials.CredentialType.Card,
        ["face"] = Credentials.CredentialType.Face,
        ["cloudKey"] = Credentials.CredentialType.CloudKey,
        ["mobile"] = Credentials.CredentialType.Mobile,
    };

    public static string CredentialType(CredentialType type) =>
        CredentialTypes.First(p => p.Value == type).Key;

    public static bool TryParseCredentialType(string? name, out CredentialType type) =>
        CredentialTypes.TryGetValue(name ?? "", out type);
}
