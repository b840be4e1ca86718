using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Mqtt;

/// <summary>Who this device is, from its claim: its IDs, its broker and its MQTT credentials.</summary>
internal sealed class DeviceIdentity(ClaimResponse claim)
{
    public Guid DeviceId => claim.DeviceId;

    public Guid OrganizationId => claim.OrganizationId;

    public string Name => claim.Name;

    public string Model => claim.Model;

    public BrokerEndpoint Broker => claim.Broker;

    public string MqttUsername => claim.MqttUsername;

    public string MqttPassword => claim.MqttPassword;

    /// <summary>The device's topic <paramref name="suffix"/> (a <see cref="DeviceTopics"/> constant).</summary>
    public string Topic(string suffix) => DeviceTopics.For(claim.OrganizationId, claim.DeviceId, suffix);

    /// <summary>Never the password.</summary>
    public override string ToString() => $"{claim.Name} ({claim.DeviceId})";
}
