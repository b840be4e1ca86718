using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Device.Mqtt;

/// <summary>Options of the broker connection: <c>Gatehouse:Device</c> (<c>Gatehouse__Device__ReconnectMaxDelay=00:01:00</c>).</summary>
internal sealed class ConnectionOptions
{
    public const string Section = "Gatehouse:Device";

    /// <summary>The wait before the first reconnection attempt; it doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between reconnection attempts; the device tries forever.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>MQTT keep-alive: a silent broker is noticed after about one and a half times this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often the device publishes its status even when nothing changed. It declares this in the status, and
    /// the server counts the device offline after three missed heartbeats, also when no last will reaches it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the broker keeps the device's session (its subscriptions and the QoS 1 messages for it) while
    /// the device is away; past it the device catches up with a snapshot.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "30.00:00:00")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a publish or a connection attempt may wait for the broker's answer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest payload the device accepts; a larger message is logged and dropped.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a reply or sync request may wait for the connection before it is too old to send.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan OutboxMaxAge { get; set; } = TimeSpan.FromMinutes(1);
}
