using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>
/// An outbox message as admins see it. <c>body</c> and <c>html</c> are there only while the message is
/// captured in the Dev mailbox (the embedded default); a really sent message keeps no content.
/// </summary>
internal sealed record OutboxMessageDto(
    Guid Id,
    MessageChannel Channel,
    string To,
    string? Subject,
    OutboxStatus Status,
    bool Captured,
    string Kind,
    Guid? UserId,
    Guid? CredentialId,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? NextAttemptAt,
    string? Error,
    string? Body,
    string? Html);

/// <summary>The organization's outbox, newest first. Shared by the API and the Dev mailbox page.</summary>
internal sealed class OutboxService(GatehouseDbContext db, OutboxContentProtector protector, MessagingMode mode)
{
    public async Task<Result<PagedList<OutboxMessageDto>>> ListAsync(Guid? userId, Guid? credentialId, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        var query = db.OutboxMessages.AsNoTracking();
        if (userId is { } user)
        {
            query = query.Where(m => m.UserId == user);
        }

        if (credentialId is { } credential)
        {
            query = query.Where(m => m.CredentialId == credential);
        }

        return await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).ToPageAsync(page, pageSize, ToDto, ct);
    }

    private OutboxMessageDto ToDto(OutboxMessage m)
    {
        // Content is shown only when captured, and only while the server is still in capture mode for that
        // channel: a message captured before an operator configured SMTP is not shown either.
        var show = m.ProtectedContent is not null && (m.Channel == MessageChannel.Email ? mode.EmailCaptured : mode.TextCaptured);
        var content = show ? protector.Unprotect(m.ProtectedContent!) : null;
        return new OutboxMessageDto(
            m.Id, m.Channel, m.To, m.Subject, m.Status, m.Captured, m.Kind, m.UserId, m.CredentialId, m.Attempts, m.CreatedAt,
            m.SentAt, m.Status == OutboxStatus.Queued ? m.NextAttemptAt : null, m.Error, content?.Text, content?.Html);
    }
}

internal static class OutboxEndpoints
{
    public static void MapOutbox(this IEndpointRouteBuilder api) =>
        api.MapGet("/outbox", List)
            .RequireAuthorization(Policies.Admin)
            .WithTags("Messages")
            .WithSummary("The organization's outgoing emails and text messages, newest first, with their status (admins). "
                + "While messages are captured rather than sent, each also carries its body.");

    private static async Task<Results<Ok<PagedList<OutboxMessageDto>>, ProblemHttpResult>> List(
        OutboxService outbox, CancellationToken ct, Guid? userId = null, Guid? credentialId = null, int? page = null, int? pageSize = null) =>
        (await outbox.ListAsync(userId, credentialId, page, pageSize, ct)).ToOk();
}
