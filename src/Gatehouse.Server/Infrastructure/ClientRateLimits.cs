using System.Threading.RateLimiting;
using Gatehouse.Server.Data;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The server's one kind of rate limit: so many requests per minute from one client address, the number read from
/// an options class (so configuration changes it). The count is kept in the store, so every server on one store
/// shares it: N servers behind a load balancer give a client the same attempts as one. The server's rate limiter
/// answers over it with 429 and Retry-After.
/// </summary>
internal static class ClientRateLimits
{
    public static void AddPerClientPerMinute<TOptions>(this RateLimiterOptions limiter, string policy, Func<TOptions, int> perMinute)
        where TOptions : class =>
        limiter.AddPolicy(policy, http =>
        {
            var services = http.RequestServices;
            var limit = perMinute(services.GetRequiredService<IOptions<TOptions>>().Value);
            return RateLimitPartition.Get(
                new ClientPartition(policy, http.Connection.RemoteIpAddress?.ToString() ?? "unknown", limit),
                key => new StoreWindowLimiter(key, services.GetRequiredService<RateLimitCounters>(), services.GetRequiredService<TimeProvider>()));
        });

    public static IServiceCollection AddPerClientPerMinute<TOptions>(this IServiceCollection services, string policy, Func<TOptions, int> perMinute)
        where TOptions : class =>
        services.Configure<RateLimiterOptions>(o => o.AddPerClientPerMinute(policy, perMinute));

    /// <summary>The store's counters that back every per-client limit: one for all of the server's policies.</summary>
    public static IServiceCollection AddClientRateLimitCounters(this IServiceCollection services) =>
        services.AddSingleton<RateLimitCounters>();
}

/// <summary>One client under one policy; the limit is part of the key so a changed limit makes a new limiter.</summary>
internal readonly record struct ClientPartition(string Policy, string Client, int PerMinute);

/// <summary>
/// A fixed one-minute window counted in the store. The middleware's quick synchronous try always fails, so every
/// request comes to <see cref="AcquireAsyncCore"/>, which counts it with one statement. Holds nothing but when it
/// was last used (the middleware drops limiters idle for a while).
/// </summary>
internal sealed class StoreWindowLimiter(ClientPartition partition, RateLimitCounters counters, TimeProvider time) : RateLimiter
{
    private long _lastUsed = time.GetTimestamp();

    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Refused;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        var count = await counters.CountAsync(partition.Policy, partition.Client, cancellationToken);
        return count <= partition.PerMinute ? Lease.Granted : Lease.Refused;
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

/// <summary>
/// Requests counted per policy, client and minute in the store. Each request is one statement (insert the minute's
/// row or add one to it, answering the new count), so concurrent requests on any server each count and each
/// learns its own place. Once a minute a server deletes the minutes before the last one.
/// </summary>
internal sealed class RateLimitCounters(IServiceScopeFactory scopes, TimeProvider time)
{
    private long _clearedBefore;

    public async Task<int> CountAsync(string policy, string client, CancellationToken ct)
    {
        var window = WindowOf(time.GetUtcNow());
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var counts = await db.Database.SqlQuery<int>($"""
            INSERT INTO "RateLimitCounters" ("Policy", "Client", "Window", "Count") VALUES ({policy}, {client}, {window}, 1)
            ON CONFLICT ("Policy", "Client", "Window") DO UPDATE SET "Count" = "RateLimitCounters"."Count" + 1
            RETURNING "Count" AS "Value"
            """).ToListAsync(ct);

        // A request that starts a new minute on this server clears the old ones; the others skip it.
        var previous = Interlocked.Read(ref _clearedBefore);
        if (previous < window && Interlocked.CompareExchange(ref _clearedBefore, window, previous) == previous)
        {
            await db.RateLimitCounters.Where(c => c.Window < window - 1).ExecuteDeleteAsync(ct);
        }

        return counts[0];
    }

    /// <summary>Minutes since the Unix epoch: the window an instant counts in.</summary>
    public static long WindowOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 60;
}

/// <summary>One client's requests under one policy in one minute.</summary>
internal sealed class RateLimitCounter
{
    public const int MaxNameLength = 64;

    public required string Policy { get; init; }

    /// <summary>The client's address as the server sees it (IPv6 at most 45 characters).</summary>
    public required string Client { get; init; }

    /// <summary>Minutes since the Unix epoch.</summary>
    public long Window { get; init; }

    public int Count { get; init; }
}

internal sealed class RateLimitCounterConfiguration : IEntityTypeConfiguration<RateLimitCounter>
{
    public void Configure(EntityTypeBuilder<RateLimitCounter> builder)
    {
        builder.HasKey(c => new { c.Policy, c.Client, c.Window });
        builder.Property(c => c.Policy).HasMaxLength(RateLimitCounter.MaxNameLength);
        builder.Property(c => c.Client).HasMaxLength(RateLimitCounter.MaxNameLength);
    }
}
