using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Server.Tests.Features.Devices;

/// <summary>
/// The server for the device tests: each test may claim devices, so the per-minute claim limit may not get in
/// the way (nor may the sign-in limit, which no <see cref="GatehouseApp"/> reaches); the claim's limit has a
/// test of its own.
/// </summary>
public sealed class DevicesApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Devices:ClaimAttemptsPerMinute", "10000");

        // The tests of a door that never answers wait this long.
        builder.UseSetting("Gatehouse:Devices:UnlockConfirmationTimeout", "00:00:02");
    }
}
