using System.Security.Claims;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Audit;

/// <summary>Who an audit entry names: an administrator (their ID and email), or <c>system</c> / <c>anonymous</c> without one.</summary>
internal sealed record AuditActor(Guid? Id, string Name)
{
    public static readonly AuditActor System = new(null, "system");

    /// <summary>The signed-in administrator of the request; <see cref="System"/> outside a request.</summary>
    public static AuditActor Of(HttpContext? context)
    {
        if (context is null)
        {
            return System;
        }

        var user = context.User;
        return Guid.TryParse(user.FindFirstValue(GatehouseClaims.AdminId), out var id)
            ? new AuditActor(id, user.FindFirstValue(GatehouseClaims.Email) ?? id.ToString())
            : new AuditActor(null, "anonymous");
    }
}
