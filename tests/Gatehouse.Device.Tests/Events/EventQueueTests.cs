using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Device.Tests.Events;

public sealed class EventQueueTests : IDisposable
{
    private static readonly DateTimeOffset At = DeviceRig.Start;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void PeekOldest_ReturnsEventsInTheOrderTheyHappened()
    {
        using var queue = Open();
        var events = Enumerable.Range(0, 5).Select(Event).ToList();
        events.ForEach(queue.Enqueue);

        Assert.Equal(events.Take(3), queue.PeekOldest(3));
        Assert.Equal(5, queue.Count);
    }

    [Fact]
    public void Enqueue_SameIdTwice_KeepsOne()
    {
        using var queue = Open();
        var e = Event(1);

        queue.Enqueue(e);
        queue.Enqueue(e);

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Queue_ReopenedAfterAStop_StillHasItsEvents()
    {
        var events = Enumerable.Range(0, 3).Select(Event).ToList();
        using (var queue = Open())
        {
            events.ForEach(queue.Enqueue);
            queue.Acknowledge([events[0].Id]);
        }

        using var reopened = Open();

        Assert.Equal(2, reopened.Count);
        Assert.Equal(events.Skip(1), reopened.PeekOldest(10));
    }

    [Fact]
    public void Acknowledge_DeletesOnlyTheNamedEvents()
    {
        using var queue = Open();
        var events = Enumerable.Range(0, 4).Select(Event).ToList();
        events.ForEach(queue.Enqueue);
        IReadOnlyList<Guid>? announced = null;
        queue.Acknowledged += ids => announced = ids;

        var removed = queue.Acknowledge([events[1].Id, events[3].Id, Guid.NewGuid()]);

        Assert.Equal(2, removed);
        Assert.Equal([events[0], events[2]], queue.PeekOldest(10));
        Assert.Equal(3, announced?.Count);
    }

    [Fact]
    public void Enqueue_QueueFull_DropsTheOldestAndCountsThem()
    {
        var events = Enumerable.Range(0, 5).Select(Event).ToList();
        using (var queue = Open(capacity: 3))
        {
            events.ForEach(queue.Enqueue);

            Assert.Equal(3, queue.Count);
            Assert.Equal(2, queue.Dropped);
            Assert.Equal(events.Skip(2), queue.PeekOldest(10));
        }

        using var reopened = Open(capacity: 3);
        Assert.Equal(2, reopened.Dropped);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Open_QueueFile_IsReadableByTheAgentOnly()
    {
        using var queue = Open();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, EventQueue.FileName)));
    }

    private EventQueue Open(int capacity = 100) => EventQueue.Open(_directory, capacity, NullLogger<EventQueue>.Instance);

    private static DeviceEvent Event(int n) =>
        new(Guid.CreateVersion7(At.AddSeconds(n)), At.AddSeconds(n), TestStore.FrontDoor, "card", n % 2 == 0, n % 2 == 0 ? "granted" : "unknownCredential", Card: n % 2 == 0 ? null : "H10301:***99");
}
