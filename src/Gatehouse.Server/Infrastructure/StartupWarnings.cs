using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Once the server listens, warns about settings that are fine on one's own machine and unsafe elsewhere:
/// no <c>Gatehouse:PublicBaseUrl</c> (messages with links are refused), and a demo that other machines can
/// reach (its sign-in page no longer shows the owner's password, but the demo's well-known password may
/// still be in use). Both go to the log; the demo's also to the console, where the person who started it looks.
/// </summary>
internal sealed partial class StartupWarnings(
    IOptions<GatehouseOptions> options,
    ServerAddresses addresses,
    OperatorConsole console,
    IHostApplicationLifetime lifetime,
    ILogger<StartupWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The addresses are known once the server has bound them, which is after every StartAsync.
        lifetime.ApplicationStarted.Register(Warn);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Warn()
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.PublicBaseUrl))
        {
            LogNoPublicBaseUrl(logger);
        }

        if (settings.Demo && !addresses.OnlyLoopback)
        {
            var listening = string.Join(", ", addresses.All);
            LogDemoReachable(logger, listening);
            console.Print($"""

                ==========================================================
                 WARNING: this Gatehouse demo listens on {listening},
                 which other machines may reach. Its sign-in page does not
                 show the owner's password here; change that password if
                 it is the demo's published one. Run the demo with
                 --urls http://127.0.0.1:PORT to keep it to this machine.
                ==========================================================

                """);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gatehouse:PublicBaseUrl (Gatehouse__PublicBaseUrl) is not set: Cloud Keys and other messages with links are refused until it is set to the address people reach this server at")]
    private static partial void LogNoPublicBaseUrl(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo listens on {Addresses}, which other machines may reach: run it on a loopback address, and change the owner's password if it is the demo's published one")]
    private static partial void LogDemoReachable(ILogger logger, string addresses);
}
