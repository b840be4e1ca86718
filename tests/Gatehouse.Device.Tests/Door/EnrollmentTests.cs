using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Hardware;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Door;

public sealed class EnrollmentTests : IDisposable
{
    private readonly DeviceRig _rig = new();
    private readonly Guid _enrollment = Guid.CreateVersion7();

    public EnrollmentTests() => _rig.Snapshot(1, Data());

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void EnrollCard_PromptsThePersonAndShowsBlue()
    {
        _rig.Commands.Handle(Enroll(EnrollmentKind.Card));

        Assert.Equal("Beginning Card enrollment, please hold your card up to the device", _rig.Speaker.Prompt);
        Assert.Equal(LedColor.Blue, _rig.Led.Color);
        Assert.Equal("waiting", _rig.Enrollments.State);

        // Waiting is held: it does not go idle after the display time.
        _rig.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(LedColor.Blue, _rig.Led.Color);
    }

    [Fact]
    public async Task Tap_WhileEnrolling_IsCapturedInsteadOfDecided()
    {
        var command = Enroll(EnrollmentKind.Card);
        _rig.Commands.Handle(command);

        var outcome = await _rig.TapAsync(UnknownCardText);

        Assert.Equal(new TapOutcome(false, TapOutcome.Enrollment), outcome);
        Assert.Equal(0, _rig.Events.Count);
        Assert.False(_rig.Relay.IsOpen(FrontDoor));
        Assert.Equal(LedColor.Amber, _rig.Led.Color);
        var reply = Assert.IsType<EnrollmentCapturedReply>(Assert.Single(_rig.Outbox.Sent));
        Assert.Equal(command.Id, reply.CommandId);
        Assert.Equal(_enrollment, reply.EnrollmentId);
        Assert.Equal(EnrollmentKind.Card, reply.Kind);
        Assert.Equal(UnknownCardText, reply.Card);
    }

    [Fact]
    public async Task Tap_AgainBeforeTheOutcome_IsNotSentTwiceNorDecided()
    {
        _rig.Commands.Handle(Enroll(EnrollmentKind.Card));
        await _rig.TapAsync(UnknownCardText);

        var second = await _rig.TapAsync(AliceCardText);

        Assert.Equal(TapOutcome.Enrollment, second.Reason);
        Assert.Single(_rig.Outbox.Sent);
        Assert.Equal(0, _rig.Events.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Outcome_ShowsItsColourAndPromptThenGoesIdle(bool succeeded)
    {
        var color = succeeded ? LedColor.Green : LedColor.Red;
        _rig.Commands.Handle(Enroll(EnrollmentKind.Card));
        await _rig.TapAsync(UnknownCardText);
        var prompt = succeeded ? "Card enrolled for Alice" : "This card belongs to someone else";

        _rig.Commands.Handle(new EnrollmentOutcomeCommand(Guid.CreateVersion7(), DeviceRig.Start, _enrollment, succeeded, prompt));

        Assert.Equal(color, _rig.Led.Color);
        Assert.Equal(prompt, _rig.Speaker.Prompt);
        Assert.Null(_rig.Enrollments.State);
        Assert.True(Assert.IsType<CommandDoneReply>(_rig.Outbox.Sent[^1]).Succeeded);

        _rig.Clock.Advance(new DoorOptions().ResultDisplayTime);
        Assert.Equal(LedColor.Off, _rig.Led.Color);
        Assert.True((await _rig.TapAsync(AliceCardText)).Granted);
    }

    [Fact]
    public async Task Cancel_ReturnsToIdleWithItsPromptAndTapsDecideAgain()
    {
        _rig.Commands.Handle(Enroll(EnrollmentKind.Card));

        _rig.Commands.Handle(new CancelEnrollmentCommand(Guid.CreateVersion7(), DeviceRig.Start, _enrollment, "Enrollment cancelled"));

        Assert.Equal(LedColor.Off, _rig.Led.Color);
        Assert.Equal("Enrollment cancelled", _rig.Speaker.Prompt);
        Assert.Null(_rig.Enrollments.State);
        Assert.True((await _rig.TapAsync(AliceCardText)).Granted);
    }

    [Fact]
    public async Task Enrollment_PastItsExpiry_StopsTakingCards()
    {
        _rig.Commands.Handle(Enroll(EnrollmentKind.Card));

        _rig.Clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Null(_rig.Enrollments.State);
        Assert.Equal(LedColor.Off, _rig.Led.Color);
        Assert.True((await _rig.TapAsync(AliceCardText)).Granted);
        Assert.Empty(_rig.Outbox.OfType<EnrollmentCapturedReply>());
    }

    [Fact]
    public void EnrollFace_DeviceWithoutCamera_PromptsThenSaysItCannot()
    {
        var command = Enroll(EnrollmentKind.Face);

        _rig.Commands.Handle(command);

        Assert.Equal(LedColor.Red, _rig.Led.Color);
        var reply = Assert.IsType<CommandDoneReply>(Assert.Single(_rig.Outbox.Sent));
        Assert.Equal(command.Id, reply.CommandId);
        Assert.False(reply.Succeeded);
        Assert.Equal("This device cannot capture faces", reply.Error);
        Assert.Null(_rig.Enrollments.State);
        _rig.Clock.Advance(new DoorOptions().ResultDisplayTime);
        Assert.Equal(LedColor.Off, _rig.Led.Color);
    }

    [Fact]
    public void EnrollFace_SaysTheFacePromptFirst()
    {
        var said = new List<string>();
        var speaker = new RecordingSpeaker(said);
        var feedback = new Feedback(new Gatehouse.Device.Simulator.SimulatedLed(), speaker, _rig.Clock, Microsoft.Extensions.Options.Options.Create(new DoorOptions()));
        using var enrollments = new Enrollments(
            feedback, new Gatehouse.Device.Simulator.SimulatedCamera(), _rig.FaceEngine, _rig.FaceKey, _rig.Outbox, _rig.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Enrollments>.Instance);

        enrollments.Start(Enroll(EnrollmentKind.Face));

        Assert.Equal(["Beginning face enrollment, please stand in front of the camera.", "This device cannot capture faces"], said);
    }

    private EnrollCommand Enroll(EnrollmentKind kind) =>
        new(Guid.CreateVersion7(), DeviceRig.Start, _enrollment, kind, DeviceRig.Start.AddSeconds(30));

    private sealed class RecordingSpeaker(List<string> said) : ISpeaker
    {
        public void Say(string prompt) => said.Add(prompt);

        public void Silence()
        {
        }
    }
}
