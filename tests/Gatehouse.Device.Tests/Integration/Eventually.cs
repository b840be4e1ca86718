namespace Gatehouse.Device.Tests.Integration;

/// <summary>Waits for a condition of a system that settles in its own time (a broker, a device), with a deadline.</summary>
public static class Eventually
{
    /// <summary>How long tests wait for a device or the server by default: generous, for a busy two-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<string> waitingFor, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                Assert.Fail($"Timed out waiting for {waitingFor()}.");
            }

            await Task.Delay(Poll);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, Func<string> waitingFor, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), waitingFor, timeout);
}
