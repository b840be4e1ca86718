using System.Globalization;
using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// The MQTT broker of one test app. By default the app runs its in-process broker on a free loopback port.
/// When the environment variable <c>GATEHOUSE_TEST_MQTT</c> is set (the test script sets it for its run
/// against Mosquitto) as <c>HOST:PORT;USERNAME;PASSWORD</c> — an account of Mosquitto's dynamic-security
/// plugin that may manage it and publish and subscribe under <c>gatehouse/#</c> — the app uses that broker
/// with dynamic-security provisioning instead. Apps sharing a broker have client IDs of their own.
/// </summary>
public sealed class TestBroker
{
    public const string Variable = "GATEHOUSE_TEST_MQTT";

    private int _configured;

    private TestBroker(string host, int port, string? adminUsername, string? adminPassword)
    {
        Host = host;
        Port = port;
        AdminUsername = adminUsername;
        AdminPassword = adminPassword;
        ServerClientId = "gatehouse-test-" + Guid.NewGuid().ToString("N")[..12];
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>Mosquitto (external) rather than the app's in-process broker.</summary>
    public bool IsExternal => AdminUsername is not null;

    /// <summary>The external broker's account the server uses (null in process).</summary>
    public string? AdminUsername { get; }

    public string? AdminPassword { get; }

    /// <summary>The app's own MQTT client ID.</summary>
    public string ServerClientId { get; }

    /// <summary>A broker for a new app: the external one named by the environment, else a free loopback port.</summary>
    public static TestBroker ForNewApp()
    {
        var external = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(external))
        {
            return new TestBroker("127.0.0.1", FreePort(), null, null);
        }

        var parts = external.Split(';');
        var address = parts[0];
        var colon = address.LastIndexOf(':');
        if (parts.Length != 3 || colon <= 0 || !int.TryParse(address[(colon + 1)..], CultureInfo.InvariantCulture, out var port))
        {
            throw new InvalidOperationException($"{Variable} must look like HOST:PORT;USERNAME;PASSWORD.");
        }

        return new TestBroker(address[..colon], port, parts[1], parts[2]);
    }

    /// <summary>
    /// Points the app at this broker. A second host made from the same app (<c>WithWebHostBuilder</c>, a restart
    /// while the first still runs) gets an in-process broker and a client ID of its own, so the two do not collide.
    /// </summary>
    public void Configure(IWebHostBuilder builder)
    {
        var first = Interlocked.Exchange(ref _configured, 1) == 0;
        var port = first || IsExternal ? Port : FreePort();
        builder.UseSetting("Gatehouse:Mqtt:ClientId", first ? ServerClientId : ServerClientId + "-" + Guid.NewGuid().ToString("N")[..6]);
        builder.UseSetting("Gatehouse:Mqtt:Port", port.ToString(CultureInfo.InvariantCulture));

        // The broker keeps a finished test app's session (and queues for it) only briefly.
        builder.UseSetting("Gatehouse:Mqtt:SessionExpirySeconds", "60");
        if (IsExternal)
        {
            builder.UseSetting("Gatehouse:Mqtt:Host", Host);
            builder.UseSetting("Gatehouse:Mqtt:Username", AdminUsername);
            builder.UseSetting("Gatehouse:Mqtt:Password", AdminPassword);
            builder.UseSetting("Gatehouse:Mqtt:Provisioning", "DynamicSecurity");
        }
        else
        {
            builder.UseSetting("Gatehouse:Mqtt:ListenAddress", "127.0.0.1");
        }
    }

    /// <summary>A loopback port nothing listens on now (for the test's own servers too).</summary>
    internal static int FreePort() => LoopbackPort.Free();
}
