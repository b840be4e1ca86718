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

/// <summary>
/// Waits for devices' answers to unlock commands. The answer is written to the command's row by whichever
/// server's gateway receives it (<see cref="RecordAsync"/>), so the waiting request reads it from the store;
/// a local wake-up only saves it the next poll when the same process took the answer.
/// </summary>
internal sealed class UnlockConfirmations
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

    /// <summary>Stores a device's answer to a command sent to it; false when there is no such unanswered command.</summary>
    public async Task<bool> RecordAsync(GatehouseDbContext db, Guid deviceId, Guid commandId, bool succeeded, DateTimeOffset at, CancellationToken ct)
    {
        var answered = await db.RemoteUnlockCommands
            .Where(c => c.Id == commandId && c.DeviceId == deviceId && c.AnsweredAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AnsweredAt, at).SetProperty(c => c.Succeeded, succeeded), ct);
        if (_waiting.TryGetValue(commandId, out var waiter))
        {
            waiter.TrySetResult();
        }

        return answered == 1;
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
                    return UnlockAnswer.NoAnswer;
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
