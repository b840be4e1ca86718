using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Builds links that leave the system (emails, texts) on <c>Gatehouse:PublicBaseUrl</c>. Without one, the
/// address the admin reached the server on stands in, then the server's first listening address: right
/// for a server used on one machine, which is why a real deployment sets the option.
/// </summary>
internal sealed class PublicLinks(IOptions<GatehouseOptions> options, IServer server, IHttpContextAccessor http)
{
    public string To(string path) => Base() + path;

    private string Base()
    {
        if (options.Value.PublicBaseUrl is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        if (http.HttpContext?.Request is { Host.HasValue: true } request)
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}";
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address?.TrimEnd('/') ?? "http://localhost";
    }
}
