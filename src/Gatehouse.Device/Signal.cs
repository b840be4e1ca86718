namespace Gatehouse.Device;

/// <summary>
/// A wake-up call between a producer and one waiting loop: <see cref="Set"/> any number of times, and the
/// next <see cref="WaitAsync"/> returns (once) without missing a set that came before it.
/// </summary>
internal sealed class Signal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _next).TrySetResult();

    /// <summary>Waits for a set (or the timeout); true when set. The signal is then ready for the next set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        var current = Volatile.Read(ref _next);
        bool set;
        try
        {
            await current.Task.WaitAsync(timeout, clock, ct).ConfigureAwait(false);
            set = true;
        }
        catch (TimeoutException)
        {
            set = false;
        }

        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }

        return set;
    }
}
