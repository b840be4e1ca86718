using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Hardware;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Door;

public sealed class DoorControllerTests : IDisposable
{
    private readonly DeviceRig _rig = new();

    public DoorControllerTests() => _rig.Snapshot(1, Data());

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task Tap_EnrolledCard_GrantsOpensTheLockForTheUnlockTimeAndShowsGreen()
    {
        var outcome = await _rig.TapAsync(AliceCardText);

        Assert.True(outcome.Granted);
        Assert.Equal("granted", outcome.Reason);
        Assert.Equal(FrontDoor, outcome.DoorId);
        Assert.True(_rig.Relay.IsOpen(FrontDoor));
        Assert.Equal(LedColor.Green, _rig.Led.Color);
        Assert.Equal(DoorController.GrantedPrompt, _rig.Speaker.Prompt);

        _rig.Clock.Advance(new DoorOptions().UnlockTime);

        Assert.False(_rig.Relay.IsOpen(FrontDoor));
        Assert.Equal(LedColor.Off, _rig.Led.Color);
        Assert.Equal(string.Empty, _rig.Speaker.Prompt);
    }

    [Fact]
    public async Task Tap_SecondGrantWhileOpen_KeepsTheDoorOpenForTheFullTimeFromThen()
    {
        await _rig.TapAsync(AliceCardText);
        _rig.Clock.Advance(TimeSpan.FromSeconds(4));

        await _rig.TapAsync(BobCardText);
        _rig.Clock.Advance(TimeSpan.FromSeconds(4));

        Assert.True(_rig.Relay.IsOpen(FrontDoor));
        _rig.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_rig.Relay.IsOpen(FrontDoor));
    }

    [Fact]
    public async Task Tap_UnknownCard_DeniesRedAndRecordsTheMaskedCard()
    {
        var outcome = await _rig.TapAsync(UnknownCardText);

        Assert.False(outcome.Granted);
        Assert.Equal("unknownCredential", outcome.Reason);
        Assert.False(_rig.Relay.IsOpen(FrontDoor));
        Assert.Equal(LedColor.Red, _rig.Led.Color);
        Assert.StartsWith(DoorController.DeniedPrompt, _rig.Speaker.Prompt, StringComparison.Ordinal);
        var recorded = Assert.Single(_rig.Events.PeekOldest(10));
        Assert.Equal("H10301:***99", recorded.Card);
        Assert.Null(recorded.UserId);
    }

    [Fact]
    public async Task Tap_EveryAttempt_IsQueuedWithAnIdUserAndCredential()
    {
        await _rig.TapAsync(AliceCardText);
        await _rig.TapAsync(UnknownCardText);

        var events = _rig.Events.PeekOldest(10);
        Assert.Equal(2, events.Count);
        Assert.NotEqual(events[0].Id, events[1].Id);
        Assert.Equal(new DeviceEvent(events[0].Id, DeviceRig.Start, FrontDoor, "card", true, "granted", AliceCard, Alice), events[0]);
        Assert.Equal(7, events[0].Id.Version);
    }

    [Theory]
    [InlineData("suspendedCredential", "credentialSuspended")]
    [InlineData("expiredCredential", "credentialExpired")]
    [InlineData("futureCredential", "credentialNotYetValid")]
    [InlineData("suspendedUser", "userSuspended")]
    [InlineData("expiredUser", "userExpired")]
    [InlineData("futureUser", "userNotYetValid")]
    [InlineData("otherDoor", "noAccessToDoor")]
    [InlineData("evening", "outsideSchedule")]
    [InlineData("holiday", "holiday")]
    public async Task Tap_DeniedCase_AnswersWithTheEnginesReason(string situation, string reason)
    {
        var credential = new SyncCredential(AliceCard, Alice, "card", false, Card: AliceCardText);
        var user = new SyncUser(Alice, false, [Staff]);
        var schedule = Data().Schedules![0];
        var group = Data().AccessGroups![0];
        var now = DeviceRig.Start;
        switch (situation)
        {
            case "suspendedCredential": credential = credential with { Suspended = true }; break;
            case "expiredCredential": credential = credential with { ValidUntil = now }; break;
            case "futureCredential": credential = credential with { ValidFrom = now.AddTicks(1) }; break;
            case "suspendedUser": user = user with { Suspended = true }; break;
            case "expiredUser": user = user with { ValidUntil = now.AddDays(-1) }; break;
            case "futureUser": user = user with { ValidFrom = now.AddDays(1) }; break;
            case "otherDoor": group = group with { DoorIds = [BackDoor] }; break;
            case "evening": _rig.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 9, 19, 0, 0, TimeSpan.Zero)); break;
            case "holiday": schedule = schedule with { Holidays = [new DateOnly(2026, 3, 9)] }; break;
        }

        _rig.Delta(1, 2, new SyncData(Schedules: [schedule], AccessGroups: [group], Users: [user], Credentials: [credential]));

        var outcome = await _rig.TapAsync(AliceCardText);

        Assert.False(outcome.Granted);
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(reason, Assert.Single(_rig.Events.PeekOldest(10)).Reason);
        Assert.False(_rig.Relay.IsOpen(FrontDoor));
    }

    [Fact]
    public async Task Tap_NamingTheSecondDoor_DecidesThere()
    {
        var outcome = await _rig.TapAsync(AliceCardText, BackDoor);

        Assert.Equal("noAccessToDoor", outcome.Reason);
        Assert.Equal(BackDoor, Assert.Single(_rig.Events.PeekOldest(10)).DoorId);
    }

    [Fact]
    public async Task Tap_DeviceWithoutAStore_DeniesWithoutAnEvent()
    {
        using var fresh = new DeviceRig();

        var outcome = await fresh.TapAsync(AliceCardText);

        Assert.Equal(TapOutcome.NoDoor, outcome.Reason);
        Assert.Equal(0, fresh.Events.Count);
        Assert.Equal(LedColor.Red, fresh.Led.Color);
    }

    [Fact]
    public async Task Tap_AfterARestartWithNoServer_DecidesFromTheStoreOnDisk()
    {
        _rig.Close();
        using var restarted = new DeviceRig(_rig.DataDirectory);

        Assert.True((await restarted.TapAsync(AliceCardText)).Granted);
        Assert.Equal("unknownCredential", (await restarted.TapAsync(UnknownCardText)).Reason);
        Assert.Equal(2, restarted.Events.Count);
    }

    [Fact]
    public void RemoteUnlock_OpensTheDoorAndRecordsAnEventUnderTheCommandsId()
    {
        var command = new UnlockCommand(Guid.CreateVersion7(), DeviceRig.Start, BackDoor);

        _rig.Commands.Handle(command);

        Assert.True(_rig.Relay.IsOpen(BackDoor));
        Assert.Equal(LedColor.Green, _rig.Led.Color);
        var recorded = Assert.Single(_rig.Events.PeekOldest(10));
        Assert.Equal(command.Id, recorded.Id);
        Assert.Equal(DeviceEvent.RemoteUnlock, recorded.CredentialType);
        var reply = Assert.IsType<CommandDoneReply>(Assert.Single(_rig.Outbox.Sent));
        Assert.True(reply.Succeeded);
        Assert.Equal(command.Id, reply.CommandId);
    }

    [Fact]
    public void RemoteUnlock_DoorOfAnotherDevice_IsRefused()
    {
        var command = new UnlockCommand(Guid.CreateVersion7(), DeviceRig.Start, Guid.NewGuid());

        _rig.Commands.Handle(command);

        var reply = Assert.IsType<CommandDoneReply>(Assert.Single(_rig.Outbox.Sent));
        Assert.False(reply.Succeeded);
        Assert.Equal(0, _rig.Events.Count);
    }

    [Fact]
    public void RemoteUnlock_ArrivesAfterItsExpiry_RefusedAsExpiredAndTheDoorStaysShut()
    {
        var command = new UnlockCommand(Guid.CreateVersion7(), DeviceRig.Start, BackDoor, DeviceRig.Start.AddSeconds(10));
        var (ledBefore, promptBefore) = (_rig.Led.Color, _rig.Speaker.Prompt);

        // Held by the broker through an outage: it arrives long after the server stopped waiting.
        _rig.Clock.Advance(TimeSpan.FromHours(2));
        _rig.Commands.Handle(command);

        Assert.False(_rig.Relay.IsOpen(BackDoor));
        Assert.Equal((ledBefore, promptBefore), (_rig.Led.Color, _rig.Speaker.Prompt));
        Assert.Equal(0, _rig.Events.Count);
        var reply = Assert.IsType<CommandDoneReply>(Assert.Single(_rig.Outbox.Sent));
        Assert.Equal((command.Id, false, CommandDoneReply.ExpiredReason), (reply.CommandId, reply.Succeeded, reply.Reason));
    }

    [Fact]
    public void RemoteUnlock_BeforeItsExpiry_OpensTheDoor()
    {
        var command = new UnlockCommand(Guid.CreateVersion7(), DeviceRig.Start, BackDoor, DeviceRig.Start.AddSeconds(10));

        _rig.Clock.Advance(TimeSpan.FromSeconds(9));
        _rig.Commands.Handle(command);

        Assert.True(_rig.Relay.IsOpen(BackDoor));
        Assert.True(Assert.IsType<CommandDoneReply>(Assert.Single(_rig.Outbox.Sent)).Succeeded);
    }
}
