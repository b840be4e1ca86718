using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Core.Tests.DeviceProtocol;

public sealed class DeviceProtocolJsonTests
{
    private static readonly Guid Org = Guid.Parse("0195f3a4-0000-7000-8000-000000000001");
    private static readonly Guid Device = Guid.Parse("0195f3a4-0000-7000-8000-000000000002");
    private static readonly DateTimeOffset At = new(2026, 3, 9, 12, 15, 0, TimeSpan.Zero);

    [Fact]
    public void Serialize_Command_WritesTypeFirstAndCamelCaseEnums()
    {
        DeviceCommand command = new EnrollCommand(Device, At, Org, EnrollmentKind.Card, At.AddSeconds(30));

        var json = JsonSerializer.Serialize(command, DeviceProtocolJson.Default.DeviceCommand);

        Assert.StartsWith("{\"type\":\"enroll\"", json);
        Assert.Contains("\"kind\":\"card\"", json);
        Assert.Contains("\"expiresAt\":\"2026-03-09T12:15:30+00:00\"", json);
    }

    [Fact]
    public void Deserialize_Reply_ReadsItsKind()
    {
        const string json = """{"type":"enrollmentCaptured","commandId":"0195f3a4-0000-7000-8000-000000000002","at":"2026-03-09T12:15:00Z","enrollmentId":"0195f3a4-0000-7000-8000-000000000001","kind":"card","card":"CSN:04A224B2C15E80","futureField":1}""";

        var reply = JsonSerializer.Deserialize(json, DeviceProtocolJson.Default.DeviceReply);

        var captured = Assert.IsType<EnrollmentCapturedReply>(reply);
        Assert.Equal(Org, captured.EnrollmentId);
        Assert.Equal("CSN:04A224B2C15E80", captured.Card);
    }

    [Fact]
    public void RoundTrip_SyncMessage_KeepsEveryRecord()
    {
        var message = new SyncMessage(SyncKind.Delta, 8, 7, 0, 1, new SyncData(
            Doors: [new SyncDoor(Device, "Front", "Europe/Berlin")],
            Schedules: [new SyncSchedule(Org, [new SyncWindow(DayOfWeek.Monday, "08:00", "24:00")], [new DateOnly(2026, 12, 25)])],
            Credentials: [new SyncCredential(Org, Device, "card", false, ValidUntil: At, Card: "H10301:1:11572")],
            Removed: new SyncRemovals(Users: [Org])));

        var json = JsonSerializer.Serialize(message, DeviceProtocolJson.Default.SyncMessage);
        var back = JsonSerializer.Deserialize(json, DeviceProtocolJson.Default.SyncMessage)!;

        Assert.Contains("\"kind\":\"delta\"", json);
        Assert.Equal("H10301:1:11572", back.Data.Credentials![0].Card);
        Assert.Equal(new DateOnly(2026, 12, 25), back.Data.Schedules![0].Holidays[0]);
        Assert.Equal(DayOfWeek.Monday, back.Data.Schedules[0].Windows[0].Day);
        Assert.Equal([Org], back.Data.Removed!.Users);
        Assert.Null(back.Data.Users);
    }

    [Fact]
    public void Deserialize_MissingRequiredField_Throws()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"ids":null}""", DeviceProtocolJson.Default.EventAck));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"events":[{"id":"0195f3a4-0000-7000-8000-000000000001"}]}""", DeviceProtocolJson.Default.EventBatch));
    }

    [Theory]
    [InlineData("gatehouse/v1/0195f3a4-0000-7000-8000-000000000001/devices/0195f3a4-0000-7000-8000-000000000002/events/ack", "events/ack")]
    [InlineData("gatehouse/v1/0195f3a4-0000-7000-8000-000000000001/devices/0195f3a4-0000-7000-8000-000000000002/status", "status")]
    public void TryParse_DeviceTopic_SplitsIt(string topic, string suffix)
    {
        Assert.True(DeviceTopics.TryParse(topic, out var org, out var device, out var rest));
        Assert.Equal((Org, Device, suffix), (org, device, rest));
        Assert.Equal(topic, DeviceTopics.For(org, device, rest));
    }

    [Theory]
    [InlineData("gatehouse/v1/0195f3a4-0000-7000-8000-000000000001/devices/0195f3a4-0000-7000-8000-000000000002")]
    [InlineData("gatehouse/v1/0195f3a4-0000-7000-8000-000000000001/devices/0195f3a4-0000-7000-8000-000000000002/")]
    [InlineData("gatehouse/v2/0195f3a4-0000-7000-8000-000000000001/devices/0195f3a4-0000-7000-8000-000000000002/status")]
    [InlineData("gatehouse/v1/+/devices/0195f3a4-0000-7000-8000-000000000002/status")]
    [InlineData("gatehouse/v1/0195f3a4-0000-7000-8000-000000000001/doors/0195f3a4-0000-7000-8000-000000000002/status")]
    [InlineData(null)]
    public void TryParse_OtherTopic_IsFalse(string? topic) =>
        Assert.False(DeviceTopics.TryParse(topic, out _, out _, out _));
}
