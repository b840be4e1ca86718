namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// What a device sends once to <c>POST /api/v1/devices/claim</c> to exchange its one-time claim code for
/// its own credentials.
/// </summary>
public sealed record ClaimRequest(string ClaimCode, string SoftwareVersion);

/// <summary>
/// The credentials and broker address a claimed device keeps. <see cref="MqttPassword"/> is shown to the
/// device only here; the server keeps its hash.
/// </summary>
public sealed record ClaimResponse(
    Guid DeviceId,
    Guid OrganizationId,
    string Name,
    string Model,
    BrokerEndpoint Broker,
    string MqttUsername,
    string MqttPassword);

/// <summary>Where a device reaches the MQTT broker.</summary>
public sealed record BrokerEndpoint(string Host, int Port, bool UseTls);
