using Gatehouse.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices;

/// <summary>
/// Deletes the records of unlock commands once no device can report on them any more: a device's event is
/// refused when older than <see cref="DeviceOptions.MaxEventAge"/>, and a device does not carry out a command
/// past its expiry, so a command is kept until <see cref="DeviceOptions.MaxEventAge"/> after its expiry. Runs at
/// start and then hourly on the injected clock; every server may run it, the delete is the same on each.
/// </summary>
internal sealed partial class UnlockCommandPruner(
    IServiceScopeFactory scopes, IOptions<DeviceOptions> options, TimeProvider clock, ILogger<UnlockCommandPruner> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, clock);
        do
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPruneFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var before = clock.GetUtcNow() - options.Value.MaxEventAge;

        // Across organizations: the rows' age is all that matters here.
        var pruned = await db.RemoteUnlockCommands.IgnoreQueryFilters().Where(c => c.ExpiresAt < before).ExecuteDeleteAsync(ct);
        if (pruned > 0)
        {
            LogPruned(logger, pruned, before);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} unlock command records that expired before {Before}")]
    private static partial void LogPruned(ILogger logger, int count, DateTimeOffset before);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deleting old unlock command records failed; trying again within the hour")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
