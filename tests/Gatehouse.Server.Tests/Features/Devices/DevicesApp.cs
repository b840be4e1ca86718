using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Server.Tests.Features.Devices;

/// <summary>
/// The server for the device tests: each test makes an organization (two sign-ins) and may claim devices,
/// so neither per-minute limit may get in the way; the claim's limit has a test of its own.
/// </summary>
public sealed class DevicesApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Accounts:SignInAttemptsPerMinute", "10000");
        builder.UseSetting("Gatehouse:Devices:ClaimAttemptsPerMinute", "10000");

        // The tests of a door that never answers wait this long.
        builder.UseSetting("Gatehouse:Devices:UnlockConfirmationTimeout", "00:00:02");
    }
}
