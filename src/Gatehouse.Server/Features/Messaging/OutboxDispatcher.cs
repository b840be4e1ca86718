using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>Wakes the dispatcher early: a message was queued and committed on this server (not before: it could not read it yet).</summary>
internal sealed class OutboxSignal : IOrganizationChangeListener
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void OnChanged(OrganizationChanged change)
    {
        if (change is { Stage: ChangeStage.Committed } && change.Kinds.HasFlag(ChangeKinds.OutboxMessages))
        {
            Notify();
        }
    }

    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers any number of new messages.
        }
    }

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}

/// <summary>
/// Sends what the outbox holds. Each round claims due messages one by one with a conditional update (a lease
/// that only one dispatcher, on any server, can win), sends each, and records the outcome: sent, a retry with
/// exponential back-off, or failed with the reason. A server that stops mid-send leaves a lease that runs out,
/// and the message is sent by the next round; with SMTP the retry carries the same Message-ID.
/// </summary>
internal sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, e);
            }

            try
            {
                // A full batch may have more behind it: go again at once.
                if (sent < settings.BatchSize)
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: sends the messages due now, up to a batch; returns how many were attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = clock.GetUtcNow();
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            due = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking()
                .Where(m => m.Status == OutboxStatus.Queued && m.NextAttemptAt <= now && (m.LeasedUntil == null || m.LeasedUntil < now))
                .OrderBy(m => m.Id)
                .Select(m => m.Id)
                .Take(settings.BatchSize)
                .ToListAsync(ct);
        }

        foreach (var id in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            await SendOneAsync(scope.ServiceProvider, id, ct);
        }

        return due.Count;
    }

    private async Task SendOneAsync(IServiceProvider services, Guid id, CancellationToken ct)
    {
        var settings = options.Value;
        var db = services.GetRequiredService<GatehouseDbContext>();
        var messages = db.OutboxMessages.IgnoreQueryFilters();
        var now = clock.GetUtcNow();
        var until = now + settings.LeaseDuration;
        var claimed = await messages
            .Where(m => m.Id == id && m.Status == OutboxStatus.Queued && (m.LeasedUntil == null || m.LeasedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeasedUntil, until), ct);
        if (claimed == 0)
        {
            return;
        }

        var message = await messages.AsNoTracking().SingleAsync(m => m.Id == id, ct);
        var result = await SendAsync(services, db, message, ct);
        var attempts = message.Attempts + 1;
        var done = clock.GetUtcNow();
        switch (result.Outcome)
        {
            case SendOutcome.Sent:
                // Really sent: the content (links, PINs) is no longer needed, so it is no longer kept.
                await messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Sent)
                    .SetProperty(m => m.SentAt, done)
                    .SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.Captured, result.Captured)
                    .SetProperty(m => m.ProviderMessageId, result.ProviderMessageId)
                    .SetProperty(m => m.Error, (string?)null)
                    .SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.ProtectedContent, m => result.Captured ? m.ProtectedContent : null), ct);
                LogSent(logger, id, message.Channel, Recipient.Mask(message.To), result.Captured);
                break;
            case SendOutcome.Retry when attempts < settings.MaxAttempts:
                var next = done + Backoff(attempts);
                await messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.Error, Clip(result.Reason))
                    .SetProperty(m => m.NextAttemptAt, next)
                    .SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null), ct);
                LogRetry(logger, id, message.Channel, attempts, next, result.Reason ?? "");
                break;
            default:
                var reason = result.Outcome == SendOutcome.Retry
                    ? $"Gave up after {attempts} attempts. Last: {result.Reason}"
                    : result.Reason;
                await messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Failed)
                    .SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.Error, Clip(reason))
                    .SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null), ct);
                LogFailed(logger, id, message.Channel, Recipient.Mask(message.To), reason ?? "");
                break;
        }
    }

    private static async Task<SendResult> SendAsync(IServiceProvider services, GatehouseDbContext db, OutboxMessage message, CancellationToken ct)
    {
        if (message.ProtectedContent is null)
        {
            return SendResult.Refused("The message's content is gone.");
        }

        var content = services.GetRequiredService<OutboxContentProtector>().Unprotect(message.ProtectedContent);
        if (message.Channel == MessageChannel.Email)
        {
            var sender = await db.Organizations.AsNoTracking().Where(o => o.Id == message.OrganizationId).Select(o => o.Name).SingleAsync(ct);
            return await services.GetRequiredService<IEmailSender>()
                .SendAsync(new OutgoingEmail(message.Id, message.To, message.Subject ?? "", content, sender), ct);
        }

        return await services.GetRequiredService<ISmsSender>().SendAsync(new OutgoingText(message.Id, message.To, content.Text), ct);
    }

    private TimeSpan Backoff(int attempts)
    {
        var settings = options.Value;
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var wait = TimeSpan.FromTicks((long)Math.Min(settings.BaseBackoff.Ticks * factor, settings.MaxBackoff.Ticks));
        return wait;
    }

    private static string? Clip(string? reason) =>
        reason is { Length: > OutboxMessage.ErrorMaxLength } ? reason[..OutboxMessage.ErrorMaxLength] : reason;

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} ({Channel}) to {To} {How}")]
    private static partial void LogSentCore(ILogger logger, Guid messageId, MessageChannel channel, string to, string how);

    private static void LogSent(ILogger logger, Guid messageId, MessageChannel channel, string to, bool captured) =>
        LogSentCore(logger, messageId, channel, to, captured ? "kept in the Dev mailbox" : "sent");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} ({Channel}) not sent, attempt {Attempt}; next at {NextAttemptAt}: {Reason}")]
    private static partial void LogRetry(ILogger logger, Guid messageId, MessageChannel channel, int attempt, DateTimeOffset nextAttemptAt, LogText reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({Channel}) to {To} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid messageId, MessageChannel channel, string to, LogText reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "An outbox round failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
