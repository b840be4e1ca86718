using System.Collections.Concurrent;
using Gatehouse.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices;

/// <summary>How a device answered an unlock command, if it did in time.</summary>
internal enum UnlockAnswer
{
    /// <summary>The device operated the lock.</summary>
    Unlocked = 1,

    /// <summary>The device answered that it could not (it does not control the door, the command was too old…).</summary>
    Refused = 2,

    /// <summary>No answer within the timeout.</summary>
    NoAnswer = 3,
}

/// <summary>What became of a device's answer to a command.</summary>
internal enum RecordedAnswer
{
    /// <summary>It answered an unlock command the server was still waiting for: it counts.</summary>
    Counted = 1,

    /// <summary>It answered an unlock command after the server gave up on it (or after its expiry): not counted.</summary>
    TooLate = 2,

    /// <summary>No unanswered unlock command of that device has that ID (another command, or answered already).</summary>
    NotAWaitingUnlock = 3,
}

/// <summary>
/// Waits for devices' answers to unlock commands. The answer is written to the command's row by whichever
/// server's gateway receives it (<see cref="RecordAsync"/>), so the waiting request reads it from the store;
/// a local wake-up only saves it the next poll when the same process took the answer. When the wait ends
/// without an answer the row is marked expired in the same store, so an answer and the give-up cannot both win.
/// </summary>
internal sealed class UnlockConfirmations(TimeProvider clock)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

    /// <summary>
    /// Stores a device's answer to an unlock command sent to it, unless the server has stopped waiting for it
    /// (or, should the waiting server have gone, its expiry has passed).
    /// </summary>
    public async Task<RecordedAnswer> RecordAsync(GatehouseDbContext db, Guid deviceId, Guid commandId, bool succeeded, DateTimeOffset at, CancellationToken ct)
    {
        var answered = await db.RemoteUnlockCommands
            .Where(c => c.Id == commandId && c.DeviceId == deviceId && c.AnsweredAt == null && c.ExpiredAt == null && c.ExpiresAt >= at)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AnsweredAt, at).SetProperty(c => c.Succeeded, succeeded), ct);
        if (_waiting.TryGetValue(commandId, out var waiter))
        {
            waiter.TrySetResult();
        }

        if (answered == 1)
        {
            return RecordedAnswer.Counted;
        }

        var late = await db.RemoteUnlockCommands.AnyAsync(c => c.Id == commandId && c.DeviceId == deviceId && c.AnsweredAt == null, ct);
        return late ? RecordedAnswer.TooLate : RecordedAnswer.NotAWaitingUnlock;
    }

    /// <summary>Call before sending the command, so an answer that comes at once is not missed.</summary>
    public void Expect(Guid commandId) =>
        _waiting.TryAdd(commandId, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Waits up to <paramref name="timeout"/> (real time) for the device's answer to the command.</summary>
    public async Task<UnlockAnswer> WaitAsync(GatehouseDbContext db, Guid commandId, TimeSpan timeout, CancellationToken ct)
    {
        Expect(commandId);
        var waiter = _waiting[commandId];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var answer = await db.RemoteUnlockCommands.AsNoTracking()
                    .Where(c => c.Id == commandId && c.AnsweredAt != null)
                    .Select(c => (bool?)c.Succeeded)
                    .SingleOrDefaultAsync(ct);
                if (answer is { } succeeded)
                {
                    return succeeded ? UnlockAnswer.Unlocked : UnlockAnswer.Refused;
                }

                if (deadline.IsCancellationRequested)
                {
                    // Giving up: from now on an answer does not count. Only one of this and RecordAsync's update can
                    // match the unanswered row; when the answer won, the next read returns it.
                    var gaveUp = await db.RemoteUnlockCommands
                        .Where(c => c.Id == commandId && c.AnsweredAt == null && c.ExpiredAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.ExpiredAt, clock.GetUtcNow()), ct);
                    if (gaveUp == 1 || !await db.RemoteUnlockCommands.AnyAsync(c => c.Id == commandId && c.AnsweredAt != null, ct))
                    {
                        return UnlockAnswer.NoAnswer;
                    }

                    continue;
                }

                try
                {
                    await waiter.Task.WaitAsync(PollInterval, deadline.Token);
                }
                catch (TimeoutException)
                {
                    // Another server may have taken the answer: read the store again.
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // The deadline: one last read.
                }
            }
        }
        finally
        {
            _waiting.TryRemove(commandId, out _);
        }
    }
}
