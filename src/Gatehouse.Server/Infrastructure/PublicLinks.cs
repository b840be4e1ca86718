using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The base of links that leave the system (emails, texts): <c>Gatehouse:PublicBaseUrl</c>. Never the
/// request's <c>Host</c> header, which the caller chooses: a link built on it could send a user's secret
/// to someone else's server. Without the setting there is no base, so operations that send a link refuse
/// (<see cref="NotConfigured"/>); only a demo that listens on loopback alone falls back to that address,
/// which nobody else can reach or choose.
/// </summary>
internal sealed class PublicLinks(IOptions<GatehouseOptions> options, ServerAddresses addresses)
{
    /// <summary>The refusal of an operation that would send a link while there is no base for it.</summary>
    public static readonly ApiError NotConfigured = new ApiError.Conflict(
        "Messages with links cannot be sent: Gatehouse__PublicBaseUrl is not set. Set it to the address people reach " +
        "this server at (such as https://gatehouse.example.com) and restart the server.");

    /// <summary>The base, without a trailing slash; false when there is none to build links on.</summary>
    public bool TryGetBase([NotNullWhen(true)] out string? baseUrl)
    {
        baseUrl = options.Value.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : options.Value.Demo && addresses.OnlyLoopback ? addresses.FirstLoopback : null;
        return baseUrl is not null;
    }
}
