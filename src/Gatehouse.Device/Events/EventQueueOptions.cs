using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Device.Events;

/// <summary>Options of the event queue: <c>Gatehouse:Device</c> (<c>Gatehouse__Device__EventBufferCapacity=200000</c>).</summary>
internal sealed class EventQueueOptions
{
    public const string Section = "Gatehouse:Device";

    /// <summary>The most events kept for the server; past it the oldest are dropped (and counted).</summary>
    [Range(1, 10_000_000)]
    public int EventBufferCapacity { get; set; } = 100_000;

    /// <summary>The most events in one <c>EventBatch</c> message.</summary>
    [Range(1, 10_000)]
    public int EventBatchSize { get; set; } = 200;

    /// <summary>How long the device waits for the server's acknowledgement of a batch before it sends it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan EventResendInterval { get; set; } = TimeSpan.FromSeconds(10);
}
