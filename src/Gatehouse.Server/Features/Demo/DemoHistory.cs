using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Events;

namespace Gatehouse.Server.Features.Demo;

/// <summary>
/// A week of card presentations at the demo's doors, each decided by the real engine at its instant,
/// so the history shows grants and every kind of denial for the reasons the rules give.
/// </summary>
internal sealed class DemoHistory(SnapshotSourceLoader sources, AccessEventWriter events, TimeProvider clock)
{
    /// <summary>How many days back the events go.</summary>
    public const int Days = 7;

    private const int Count = 200;

    /// <summary>Writes the events; returns how many.</summary>
    public async Task<int> WriteAsync(DemoWorldCreated world, DateTimeOffset now, CancellationToken ct)
    {
        // Read through the seeding context, so the snapshot sees what the open transaction wrote.
        var snapshot = AccessSnapshot.Build(await sources.LoadAsync(ct), clock);

        // A fixed seed: every demo tells the same story.
        var random = new Random(2026);
        var doorsById = world.Doors.ToDictionary(d => d.Id);
        var result = new List<AccessEvent>(Count);
        while (result.Count < Count)
        {
            var roll = random.NextDouble();
            var holder = world.Holders[random.Next(world.Holders.Count)];
            if (holder.Suspended && random.NextDouble() < 0.6)
            {
                // A suspended badge turns up now and then, not as often as the others.
                continue;
            }

            DoorDto door;
            CardIdentity card;
            if (roll < 0.05)
            {
                // A card nobody enrolled: a visitor's badge, a hotel key card.
                door = world.Doors[random.Next(world.Doors.Count)];
                CardIdentity.TryCreate(CardFormat.H10301, DemoWorld.FacilityCode, random.Next(30_000, 65_536), null, out card, out _);
            }
            else
            {
                // Mostly a door of one's own groups; now and then one that is not.
                door = holder.DoorIds.Count > 0 && roll < 0.93
                    ? doorsById[holder.DoorIds[random.Next(holder.DoorIds.Count)]]
                    : world.Doors[random.Next(world.Doors.Count)];
                card = holder.Card;
            }

            var zone = world.SiteZones[door.SiteId];
            if (RandomInstant(random, zone, now) is not { } at || Unlikely(random, TimeZoneInfo.ConvertTime(at, zone), world.DayOff))
            {
                continue;
            }

            var decision = snapshot.Decide(card.ToKey(), door.Id, at);
            var known = decision.Reason != AccessReason.UnknownCredential;
            result.Add(new AccessEvent
            {
                Id = Guid.CreateVersion7(at),
                OccurredAt = at,
                DoorId = door.Id,
                DoorName = door.Name,
                UserId = decision.UserId,
                UserName = known ? holder.Name : null,
                CredentialId = decision.CredentialId,
                CredentialType = known ? CredentialType.Card : null,
                Granted = decision.Granted,
                Reason = decision.Reason,
                Source = AccessEventSource.Device,
                ReceivedAt = at.AddMilliseconds(random.Next(80, 900)),
            });
        }

        return await events.AppendAsync(result, ct);
    }

    /// <summary>An instant in the past week, mostly in working hours at the door's site; null when it falls in the future.</summary>
    private static DateTimeOffset? RandomInstant(Random random, TimeZoneInfo zone, DateTimeOffset now)
    {
        var day = TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(-random.Next(0, Days));
        var hour = random.NextDouble() switch
        {
            < 0.90 => random.Next(8, 18),
            < 0.96 => random.Next(18, 21),
            _ => random.Next(0, 24),
        };
        var local = DateTime.SpecifyKind(day.AddHours(hour).AddMinutes(random.Next(60)).AddSeconds(random.Next(60)), DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
        return at < now ? at : null;
    }

    /// <summary>Fewer people come in at weekends and on the day off.</summary>
    private static bool Unlikely(Random random, DateTimeOffset local, DateOnly dayOff)
    {
        var quiet = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || DateOnly.FromDateTime(local.DateTime) == dayOff;
        return quiet && random.NextDouble() < 0.85;
    }
}
