using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// The MQTT topics of the device protocol (see <c>docs/device-protocol.md</c>). Every topic of a device
/// starts with its <see cref="Prefix"/>, <c>gatehouse/v1/{organizationId}/devices/{deviceId}</c>; a device
/// may publish and subscribe under its own prefix only.
/// </summary>
public static class DeviceTopics
{
    /// <summary>The protocol's root; the version in it changes only with an incompatible change of the payloads.</summary>
    public const string Root = "gatehouse/v1";

    /// <summary>Device → server, retained, and the device's last will: a <see cref="DeviceStatus"/>.</summary>
    public const string Status = "status";

    /// <summary>Server → device: <see cref="SyncMessage"/>s (snapshot parts and deltas), QoS 1.</summary>
    public const string Sync = "sync";

    /// <summary>Device → server: a <see cref="SyncRequest"/> for a full snapshot, QoS 1.</summary>
    public const string SyncRequest = "sync/request";

    /// <summary>Device → server: an <see cref="EventBatch"/>, QoS 1.</summary>
    public const string Events = "events";

    /// <summary>Server → device: an <see cref="EventAck"/> naming the stored events, QoS 1.</summary>
    public const string EventAcks = "events/ack";

    /// <summary>Server → device: a <see cref="DeviceCommand"/>, QoS 1.</summary>
    public const string Commands = "commands";

    /// <summary>Device → server: a <see cref="DeviceReply"/> to a command, QoS 1.</summary>
    public const string Replies = "replies";

    /// <summary>The suffixes a device publishes to.</summary>
    public static IReadOnlyList<string> DevicePublishes { get; } = [Status, SyncRequest, Events, Replies];

    /// <summary>The suffixes a device subscribes to.</summary>
    public static IReadOnlyList<string> DeviceSubscribes { get; } = [Sync, EventAcks, Commands];

    /// <summary><c>gatehouse/v1/{organizationId}/devices/{deviceId}</c>.</summary>
    public static string Prefix(Guid organizationId, Guid deviceId) => $"{Root}/{organizationId:D}/devices/{deviceId:D}";

    /// <summary>The topic <paramref name="suffix"/> of one device.</summary>
    public static string For(Guid organizationId, Guid deviceId, string suffix) => $"{Prefix(organizationId, deviceId)}/{suffix}";

    /// <summary>The subscription filter for <paramref name="suffix"/> of every device of every organization (the server's).</summary>
    public static string AllDevices(string suffix) => $"{Root}/+/devices/+/{suffix}";

    /// <summary>
    /// Splits a device topic into its organization, device and suffix; false for any topic outside
    /// <c>gatehouse/v1/{guid}/devices/{guid}/…</c>.
    /// </summary>
    public static bool TryParse(
        string? topic, out Guid organizationId, out Guid deviceId, [NotNullWhen(true)] out string? suffix)
    {
        organizationId = default;
        deviceId = default;
        suffix = null;
        if (topic is null || !topic.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic.AsSpan(Root.Length + 1);
        var slash = rest.IndexOf('/');
        if (slash < 0 || !Guid.TryParseExact(rest[..slash], "D", out organizationId))
        {
            return false;
        }

        rest = rest[(slash + 1)..];
        const string devices = "devices/";
        if (!rest.StartsWith(devices, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[devices.Length..];
        slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1 || !Guid.TryParseExact(rest[..slash], "D", out deviceId))
        {
            return false;
        }

        suffix = rest[(slash + 1)..].ToString();
        return true;
    }
}
