using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Gatehouse.Server.Features.Audit;

/// <summary>
/// Appends every change being saved to its organization's audit log, inside the same transaction as the
/// change, so the log and the data can never disagree. It opens the transaction itself when the caller has
/// none, takes the organization's lock, reads the last entry and chains on from it.
/// </summary>
internal sealed partial class AuditInterceptor(
    IHttpContextAccessor http,
    TimeProvider clock,
    IOptions<JsonOptions> json,
    ILogger<AuditInterceptor> logger) : SaveChangesInterceptor
{
    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "secret", "token", "pin", "hash", "salt", "embedding",
    };

    private readonly ConditionalWeakTable<DbContext, IDbContextTransaction> _ownTransactions = [];

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is GatehouseDbContext db)
        {
            await AppendAsync(db, cancellationToken);
        }

        return result;
    }

    // Synchronous saves do the same work and wait for it; ASP.NET Core has no synchronization context to deadlock on.
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        SavingChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await EndAsync(eventData.Context, commit: true, cancellationToken);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result) =>
        SavedChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        EndAsync(eventData.Context, commit: false, CancellationToken.None);

    public override void SaveChangesFailed(DbContextErrorEventData eventData) =>
        EndAsync(eventData.Context, commit: false, CancellationToken.None).GetAwaiter().GetResult();

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        EndAsync(eventData.Context, commit: false, CancellationToken.None);

    public override void SaveChangesCanceled(DbContextEventData eventData) =>
        EndAsync(eventData.Context, commit: false, CancellationToken.None).GetAwaiter().GetResult();

    private async Task AppendAsync(GatehouseDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        var records = Collect(db);
        if (records.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            _ownTransactions.AddOrUpdate(db, await db.Database.BeginTransactionAsync(ct));
        }

        try
        {
            var (actorId, actor) = db.ActingFor ?? AuditActor.Of(http.HttpContext);
            var at = AuditChain.Truncate(clock.GetUtcNow());
            // One organization after another in a fixed order, so two saves never wait on each other's locks.
            foreach (var organization in records.GroupBy(r => r.OrganizationId).OrderBy(g => g.Key))
            {
                await db.LockOrganizationAsync(organization.Key, ct);
                var last = await db.AuditEntries.IgnoreQueryFilters().AsNoTracking()
                    .Where(e => e.OrganizationId == organization.Key)
                    .OrderByDescending(e => e.Sequence)
                    .Select(e => new { e.Sequence, e.Hash })
                    .FirstOrDefaultAsync(ct);
                var sequence = last?.Sequence ?? 0;
                var previous = last?.Hash ?? AuditChain.Genesis.ToArray();
                foreach (var record in organization)
                {
                    var entry = new AuditEntry
                    {
                        OrganizationId = organization.Key,
                        Sequence = ++sequence,
                        At = at,
                        ActorId = actorId,
                        Actor = actor,
                        Action = record.Action,
                        EntityType = record.EntityType,
                        EntityId = record.EntityId,
                        Changes = record.Changes,
                        Hash = [],
                    };
                    entry.Hash = AuditChain.Compute(previous, entry);
                    previous = entry.Hash;
                    db.AuditEntries.Add(entry);
                }
            }
        }
        catch
        {
            await EndAsync(db, commit: false, CancellationToken.None);
            throw;
        }
    }

    private async Task EndAsync(DbContext? context, bool commit, CancellationToken ct)
    {
        if (context is null)
        {
            return;
        }

        if (!commit)
        {
            // A retried save must chain afresh, not insert the entries of the attempt that failed.
            foreach (var added in context.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).ToList())
            {
                added.State = EntityState.Detached;
            }
        }

        if (!_ownTransactions.TryGetValue(context, out var transaction))
        {
            return;
        }

        _ownTransactions.Remove(context);
        await using (transaction)
        {
            if (commit)
            {
                await transaction.CommitAsync(ct);
            }
            else
            {
                await transaction.RollbackAsync(ct);
            }
        }
    }

    private List<PendingRecord> Collect(GatehouseDbContext db)
    {
        var records = new List<PendingRecord>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            if (entry.Entity is AuditEntry)
            {
                if (entry.State != EntityState.Added)
                {
                    throw new InvalidOperationException("The audit log is append-only: its entries are never changed or removed.");
                }

                continue;
            }

            // The data-protection key ring is the framework's bookkeeping for the whole installation, not a change anyone made.
            if (entry.Entity is DataProtectionKey || entry.Metadata.ClrType.IsDefined(typeof(AuditIgnoreAttribute), inherit: true))
            {
                continue;
            }

            var (changes, count) = Changes(entry);
            if (entry.State == EntityState.Modified && count == 0)
            {
                continue;
            }

            var type = TypeName(entry.Metadata);
            Guid? organization = entry.Entity switch
            {
                ITenantOwned owned => owned.OrganizationId,
                Organization o => o.Id,
                _ => db.CurrentOrganizationId,
            };
            if (organization is not { } organizationId || organizationId == Guid.Empty)
            {
                LogUnplaced(logger, type);
                continue;
            }

            var action = entry.State switch
            {
                EntityState.Added => "created",
                EntityState.Deleted => "deleted",
                _ => "updated",
            };
            records.Add(new PendingRecord(organizationId, type, KeyOf(entry), action, changes));
        }

        foreach (var note in db.PendingAuditNotes)
        {
            records.Add(new PendingRecord(note.OrganizationId, note.EntityType, note.EntityId, note.Action, Details(note.Details)));
        }

        db.PendingAuditNotes.Clear();
        return records;
    }

    /// <summary>The changed fields as a JSON array, and how many there are.</summary>
    private (string Json, int Count) Changes(EntityEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var count = 0;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var property in entry.Properties)
            {
                var metadata = property.Metadata;
                if (metadata.IsPrimaryKey()
                    || (entry.Entity is ITenantOwned && metadata.Name == nameof(ITenantOwned.OrganizationId))
                    || metadata.PropertyInfo?.IsDefined(typeof(AuditIgnoreAttribute)) == true)
                {
                    continue;
                }

                var before = entry.State == EntityState.Added ? null : property.OriginalValue;
                var after = entry.State == EntityState.Deleted ? null : property.CurrentValue;
                if (entry.State == EntityState.Modified
                    ? !property.IsModified || metadata.GetValueComparer().Equals(before, after)
                    : before is null && after is null)
                {
                    continue;
                }

                count++;
                writer.WriteStartObject();
                writer.WriteString("field", CamelCase(metadata.Name));
                if (IsSecret(metadata))
                {
                    writer.WriteBoolean("redacted", true);
                }
                else
                {
                    if (entry.State != EntityState.Added)
                    {
                        writer.WritePropertyName("before");
                        WriteValue(writer, before);
                    }

                    if (entry.State != EntityState.Deleted)
                    {
                        writer.WritePropertyName("after");
                        WriteValue(writer, after);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return (Encoding.UTF8.GetString(buffer.WrittenSpan), count);
    }

    private string Details(IReadOnlyDictionary<string, object?> details)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (field, value) in details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("field", field);
                writer.WritePropertyName("after");
                WriteValue(writer, value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>As the API would write the value (camelCase enums, ISO instants).</summary>
    private void WriteValue(Utf8JsonWriter writer, object? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        try
        {
            JsonSerializer.Serialize(writer, value, value.GetType(), json.Value.SerializerOptions);
        }
        catch (NotSupportedException)
        {
            writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Marked, binary (hashes, keys, images) or named like a secret: the log says it changed, never to what.</summary>
    private static bool IsSecret(IProperty property) =>
        property.PropertyInfo?.IsDefined(typeof(AuditRedactAttribute)) == true
        || property.ClrType == typeof(byte[])
        || Words(property.Name).Any(SecretWords.Contains);

    private static IEnumerable<string> Words(string pascalCase)
    {
        var start = 0;
        for (var i = 1; i <= pascalCase.Length; i++)
        {
            if (i == pascalCase.Length || char.IsUpper(pascalCase[i]))
            {
                yield return pascalCase[start..i];
                start = i;
            }
        }
    }

    private static string TypeName(IEntityType type) => CamelCase(type.ShortName());

    private static string KeyOf(EntityEntry entry) => string.Join(",",
        entry.Metadata.FindPrimaryKey()!.Properties.Select(p =>
            Convert.ToString(entry.Property(p.Name).CurrentValue, CultureInfo.InvariantCulture)));

    private static string CamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];

    [LoggerMessage(Level = LogLevel.Warning, Message = "A change to {EntityType} belongs to no organization and is not in the audit log")]
    private static partial void LogUnplaced(ILogger logger, string entityType);

    private sealed record PendingRecord(Guid OrganizationId, string EntityType, string EntityId, string Action, string Changes);
}
