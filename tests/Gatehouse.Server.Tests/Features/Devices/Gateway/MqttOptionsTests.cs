using System.ComponentModel.DataAnnotations;
using Gatehouse.Server.Features.Devices.Gateway;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

public sealed class MqttOptionsTests
{
    [Fact]
    public void Validate_Defaults_Valid() => Assert.Empty(Errors(new MqttOptions()));

    [Fact]
    public void Validate_InProcessTlsWithoutCertificate_NamesCertificatePath() =>
        Assert.Contains(nameof(MqttOptions.CertificatePath), Assert.Single(Errors(new MqttOptions { UseTls = true })).MemberNames);

    [Fact]
    public void Validate_ExternalDynamicSecurityWithoutAccount_NamesUsernameAndPassword() =>
        Assert.Equal(
            [nameof(MqttOptions.Username), nameof(MqttOptions.Password)],
            Assert.Single(Errors(new MqttOptions { Host = "mqtt.example.com", Username = "gatehouse" })).MemberNames);

    [Fact]
    public void Validate_ExternalWithoutProvisioning_NeedsNoAccount() =>
        Assert.Empty(Errors(new MqttOptions { Host = "mqtt.example.com", Provisioning = BrokerProvisioning.None }));

    [Theory]
    [InlineData("everywhere")]
    [InlineData("")]
    public void Validate_ListenAddressNotAnAddress_Invalid(string address) =>
        Assert.Contains(Errors(new MqttOptions { ListenAddress = address }), e => e.MemberNames.Contains(nameof(MqttOptions.ListenAddress)));

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Validate_PortOutOfRange_Invalid(int port) =>
        Assert.Contains(Errors(new MqttOptions { Port = port }), e => e.MemberNames.Contains(nameof(MqttOptions.Port)));

    [Fact]
    public void Validate_ClientIdWithSpaces_Invalid() =>
        Assert.Contains(Errors(new MqttOptions { ClientId = "gate house" }), e => e.MemberNames.Contains(nameof(MqttOptions.ClientId)));

    [Fact]
    public void ClientIdFor_Unset_IsTheHostsOwnAndDiffersBetweenServersOnOneHost()
    {
        var options = new MqttOptions();

        var first = options.ClientIdFor("gate host/1");
        var second = options.ClientIdFor("gate host/1");

        Assert.NotEqual(first, second);
        Assert.StartsWith("gatehouse-server-gate-host-1-", first, StringComparison.Ordinal);
        Assert.Empty(Errors(new MqttOptions { ClientId = first }));
        Assert.Equal("gatehouse-server", options.AccountOwner);
    }

    [Fact]
    public void ClientIdFor_Configured_IsUsedAsIsAndMarksTheAccounts()
    {
        var options = new MqttOptions { ClientId = "site-a-gatehouse" };

        Assert.Equal("site-a-gatehouse", options.ClientIdFor("host"));
        Assert.Equal("site-a-gatehouse", options.AccountOwner);
    }

    private static List<ValidationResult> Errors(MqttOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
