using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The addresses the server listens on, and whether only this machine can reach them (every one is
/// loopback). Once the server has started these are the addresses it bound; before that, or on a host
/// that reports none, they are the configured ones (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>), and with none configured Kestrel's default, <c>http://localhost:5000</c>.
/// </summary>
internal sealed class ServerAddresses(IServer server, IConfiguration configuration)
{
    private const string KestrelDefault = "http://localhost:5000";

    public IReadOnlyList<string> All
    {
        get
        {
            if (server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } bound)
            {
                return [.. bound];
            }

            if (Split(configuration[WebHostDefaults.ServerUrlsKey]) is { Length: > 0 } urls)
            {
                return urls;
            }

            // Ports without a host (as container images set) listen on every interface.
            string[] ports =
            [
                .. Split(configuration[WebHostDefaults.HttpPortsKey]).Select(p => $"http://*:{p}"),
                .. Split(configuration[WebHostDefaults.HttpsPortsKey]).Select(p => $"https://*:{p}"),
            ];
            return ports.Length > 0 ? ports : [KestrelDefault];
        }
    }

    /// <summary>True when every address is loopback, so nothing but this machine reaches the server.</summary>
    public bool OnlyLoopback => All.All(IsLoopback);

    /// <summary>The first loopback address, without a trailing slash; null when there is none.</summary>
    public string? FirstLoopback => All.FirstOrDefault(IsLoopback)?.TrimEnd('/');

    /// <summary>
    /// <c>localhost</c> or a loopback IP. A wildcard (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>), a name,
    /// another IP, a Unix socket or a named pipe is not: a proxy in front of it may publish it anywhere.
    /// </summary>
    public static bool IsLoopback(string address)
    {
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return false;
        }

        if (parsed.IsUnixPipe || parsed.IsNamedPipe)
        {
            return false;
        }

        return string.Equals(parsed.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(parsed.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    private static string[] Split(string? value) =>
        value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
