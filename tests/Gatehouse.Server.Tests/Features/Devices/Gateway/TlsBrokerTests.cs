using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>The server's own broker serving TLS with a certificate from a PKCS#12 file (whatever broker the suite uses otherwise).</summary>
public sealed class TlsBrokerApp : GatehouseApp
{
    private const string Password = "pfx-password";

    public TlsBrokerApp()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=gatehouse.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        CertificatePath = Path.Combine(Path.GetTempPath(), $"gatehouse-tls-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(CertificatePath, certificate.Export(X509ContentType.Pfx, Password));
        Certificate = X509CertificateLoader.LoadCertificate(certificate.RawData);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        TlsPort = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public string CertificatePath { get; }

    public X509Certificate2 Certificate { get; }

    public int TlsPort { get; }

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Mqtt:Host", "");
        builder.UseSetting("Gatehouse:Mqtt:ListenAddress", "127.0.0.1");
        builder.UseSetting("Gatehouse:Mqtt:Port", TlsPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Gatehouse:Mqtt:UseTls", "true");
        builder.UseSetting("Gatehouse:Mqtt:CertificatePath", CertificatePath);
        builder.UseSetting("Gatehouse:Mqtt:CertificatePassword", Password);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Certificate.Dispose();
        File.Delete(CertificatePath);
    }
}

public sealed class TlsBrokerTests(TlsBrokerApp app) : IClassFixture<TlsBrokerApp>
{
    [Fact]
    public async Task TlsBroker_DeviceTrustingItsCertificate_ConnectsAndSyncs_PlainConnectionFails()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        await using var device = await TestDevice.CreateAsync(app, org.Id, [door.Id()]);
        device.BrokerPort = app.TlsPort;

        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());

        device.TlsCertificate = app.Certificate;
        var snapshot = await device.ConnectAndSyncAsync();

        Assert.Equal([door.Id()], snapshot.SelectMany(p => p.Data.Doors ?? []).Select(d => d.Id.ToString()));
        Assert.True(app.Services.GetRequiredService<DeviceGateway>().IsConnected);
        Assert.True(app.Services.GetRequiredService<DeviceGateway>().EndpointFor("doors.example.com").UseTls);
    }
}
