namespace Gatehouse.Testing;

/// <summary>
/// Waits for a condition of a system that settles in its own time (a broker, a device, a server in the
/// background), with a deadline. A timeout throws <see cref="TimeoutException"/> naming what was awaited,
/// which fails the test.
/// </summary>
public static class Eventually
{
    /// <summary>How long tests wait for a device or the server by default: generous, for a busy two-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<string> waitingFor, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {waitingFor()}.");
            }

            await Task.Delay(Poll);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, Func<string> waitingFor, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), waitingFor, timeout);

    /// <summary>Polls <paramref name="probe"/> until it gives something, and returns that.</summary>
    public static async Task<T> ForAsync<T>(Func<T?> probe, Func<string> waitingFor, TimeSpan? timeout = null)
        where T : class
    {
        T? found = null;
        await HoldsAsync(() => (found = probe()) is not null, waitingFor, timeout);
        return found!;
    }
}
