using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>How the server keeps the accounts of devices on an external broker.</summary>
internal enum BrokerProvisioning
{
    /// <summary>Mosquitto's dynamic-security plugin: one client and one role per device, managed over <c>$CONTROL</c>.</summary>
    DynamicSecurity = 1,

    /// <summary>The broker's accounts and ACLs are managed elsewhere; the server only connects.</summary>
    None = 2,
}

/// <summary>
/// The device gateway's MQTT settings, under <c>Gatehouse:Mqtt</c> (<c>Gatehouse__Mqtt__Host</c> … in the
/// environment). Without a <see cref="Host"/> the server runs its own broker on <see cref="ListenAddress"/>
/// and <see cref="Port"/>; with one it connects to that broker (Mosquitto, EMQX…) as <see cref="Username"/>.
/// </summary>
internal sealed class MqttOptions : IValidatableObject
{
    public const string Section = "Gatehouse:Mqtt";

    /// <summary>An external broker's host name or address; unset runs the in-process broker.</summary>
    public string? Host { get; set; }

    /// <summary>The external broker's port, or the one the in-process broker listens on.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Where the in-process broker listens: every interface by default, so devices on the network reach it.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>The server's account on an external broker.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>What a server's generated client ID starts with, and what marks an installation's device accounts by default.</summary>
    public const string DefaultClientIdPrefix = "gatehouse-server";

    /// <summary>
    /// The server's MQTT client ID. Unset (the default), each server process makes its own at start,
    /// <c>gatehouse-server-{host}-{random}</c>, so servers started with identical configuration on one broker do not
    /// take each other's connection. When set, it is used as is (one server per value), and it also marks the device
    /// accounts this installation provisions on a broker shared with other installations.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string? ClientId { get; set; }

    /// <summary>
    /// What the device accounts this installation provisions on a shared broker carry, so it reconciles only its own:
    /// the configured <see cref="ClientId"/>, else <see cref="DefaultClientIdPrefix"/> — the same on every server of
    /// the installation and across restarts, unlike a generated client ID.
    /// </summary>
    public string AccountOwner => string.IsNullOrWhiteSpace(ClientId) ? DefaultClientIdPrefix : ClientId;

    /// <summary>TLS on the broker connection: the in-process broker serves it, or the server expects it of the external one.</summary>
    public bool UseTls { get; set; }

    /// <summary>The in-process broker's certificate and key (PKCS#12), needed with <see cref="UseTls"/>.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>A PEM CA certificate to trust for an external broker, besides the machine's own roots.</summary>
    public string? CaFile { get; set; }

    /// <summary>The broker host a claiming device is told; by default the host it used to reach the HTTP API.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The broker port a claiming device is told; by default <see cref="Port"/>.</summary>
    [Range(1, 65535)]
    public int? AdvertisedPort { get; set; }

    public BrokerProvisioning Provisioning { get; set; } = BrokerProvisioning.DynamicSecurity;

    /// <summary>The largest message a device may send; bigger ones are refused and logged.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The in-process broker's time for a new connection to send its CONNECT, and for any packet once begun;
    /// a connection that is silent or trickles longer is closed.
    /// </summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>The in-process broker's queue of TCP connections accepted by the system but not yet taken up.</summary>
    [Range(1, 65_535)]
    public int ConnectionBacklog { get; set; } = 512;

    /// <summary>
    /// Records (users, credentials…) per message of a full snapshot, a face credential counting as twenty; a part
    /// stays well under a megabyte.
    /// </summary>
    [Range(1, 100_000)]
    public int SnapshotPartSize { get; set; } = 2000;

    /// <summary>How long the server's session outlives a disconnect on the broker, so device messages wait for it.</summary>
    [Range(0, int.MaxValue)]
    public int SessionExpirySeconds { get; set; } = 24 * 60 * 60;

    /// <summary>How long changes to an organization are gathered before devices are synced, so a burst makes one delta.</summary>
    [Range(0, 10_000)]
    public int SyncCoalesceMilliseconds { get; set; } = 10;

    /// <summary>
    /// How often each online device's last reported version is compared with the one last published to it. A device
    /// still behind at the next check (a delta lost without it knowing) gets a snapshot: within two checks, however
    /// quiet the organization is.
    /// </summary>
    [Range(1, 3_600)]
    public int VersionCheckSeconds { get; set; } = 25;

    public bool IsExternal => !string.IsNullOrWhiteSpace(Host);

    /// <summary>
    /// This server process's client ID: the configured one, or the prefix, the host's name (what the broker's log
    /// shows an operator) and a random part, since replicas may share a host name.
    /// </summary>
    public string ClientIdFor(string hostName)
    {
        if (!string.IsNullOrWhiteSpace(ClientId))
        {
            return ClientId;
        }

        var host = new string([.. hostName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').Take(32)]);
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return host.Length == 0 ? $"{DefaultClientIdPrefix}-{random}" : $"{DefaultClientIdPrefix}-{host}-{random}";
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(ListenAddress, out _))
        {
            yield return new ValidationResult("ListenAddress must be an IP address, such as 0.0.0.0 or 127.0.0.1.", [nameof(ListenAddress)]);
        }

        if (!IsExternal && UseTls && string.IsNullOrWhiteSpace(CertificatePath))
        {
            yield return new ValidationResult("The in-process broker needs CertificatePath (a PKCS#12 file) to serve TLS.", [nameof(CertificatePath)]);
        }

        if (IsExternal && Provisioning == BrokerProvisioning.DynamicSecurity && (string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Password)))
        {
            yield return new ValidationResult(
                "An external broker with DynamicSecurity provisioning needs the server's Username and Password (an account allowed to use $CONTROL/dynamic-security and gatehouse/#).",
                [nameof(Username), nameof(Password)]);
        }
    }
}
