using System.Threading.Channels;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices.Enrollments;

/// <summary>
/// Ends enrollments nobody answered: at each pending enrollment's expiry it marks it timed out and tells
/// the device to stop waiting. It sleeps until the next expiry (on the injected clock), is woken when an
/// enrollment starts, and looks again at least every minute in case another server started one.
/// </summary>
internal sealed partial class EnrollmentSweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<EnrollmentSweeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryWait = TimeSpan.FromSeconds(5);

    // One pending wake-up is enough: the sweep that follows sees every enrollment started before it.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>An enrollment started: look again now, so its expiry is the next one waited for.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
                wait = RetryWait;
            }

            await WaitAsync(wait, stoppingToken);
        }
    }

    /// <summary>Times out every pending enrollment past its expiry; returns how long until the next one expires.</summary>
    private async Task<TimeSpan> SweepAsync(CancellationToken ct)
    {
        _wake.Reader.TryRead(out _);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var now = clock.GetUtcNow();

        // Across organizations; each is then ended in a scope of its own organization.
        var due = await db.Enrollments.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.Status == EnrollmentStatus.Pending && e.ExpiresAt <= now)
            .Select(e => new { e.Id, e.OrganizationId })
            .ToListAsync(ct);
        foreach (var enrollment in due)
        {
            await using var own = scopes.CreateAsyncScope();
            own.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(enrollment.OrganizationId);
            await own.ServiceProvider.GetRequiredService<EnrollmentService>().ExpireAsync(enrollment.Id, ct);
        }

        var next = await db.Enrollments.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.Status == EnrollmentStatus.Pending)
            .OrderBy(e => e.ExpiresAt)
            .Select(e => (DateTimeOffset?)e.ExpiresAt)
            .FirstOrDefaultAsync(ct);
        if (next is not { } expiry)
        {
            return IdleWait;
        }

        var until = expiry - clock.GetUtcNow();
        return until <= TimeSpan.Zero ? TimeSpan.Zero : until < IdleWait ? until : IdleWait;
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var woken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, clock, woken.Token);
        var wake = _wake.Reader.WaitToReadAsync(woken.Token).AsTask();
        await Task.WhenAny(delay, wake);

        // Ends whichever is still waiting, so no timer is left behind on the clock.
        await woken.CancelAsync();
        try
        {
            await Task.WhenAll(delay, wake);
        }
        catch (OperationCanceledException)
        {
            // The one that lost the race.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweeping timed-out enrollments failed; trying again shortly")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
