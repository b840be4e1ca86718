using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Hardware;
using Gatehouse.Faces;

namespace Gatehouse.Device.Tests.Door;

/// <summary>The device's face engine, loaded once for the face enrollment tests.</summary>
public sealed class DeviceFaceEngine : IDisposable
{
    public FaceEngineLoad Load { get; } = FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory });

    public FaceAnalysis Analyze(string photo) => Load.Engine!.Analyze(FaceAssets.Photo(photo));

    public void Dispose() => Load.Engine?.Dispose();
}

/// <summary>Enrolling a face at the device: frames go to the enrollment, the best good one is sent sealed, refusals are said.</summary>
public sealed class FaceEnrollmentTests : IClassFixture<DeviceFaceEngine>, IDisposable
{
    private readonly DeviceFaceEngine _faces;
    private readonly DeviceRig _rig;
    private readonly Guid _enrollment = Guid.CreateVersion7();
    private readonly List<string> _said = [];

    public FaceEnrollmentTests(DeviceFaceEngine faces)
    {
        _faces = faces;
        Assert.True(faces.Load.Engine is not null, faces.Load.Unavailable);
        _rig = new DeviceRig(camera: new CameraWithLens(), faces: faces.Load);
    }

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task Frames_TwoGoodOnes_TheBestIsSentSealedForThisEnrollmentWhileAmber()
    {
        var command = Start();
        var first = "franck_02159.jpg";
        var second = "franck_04000.jpg";
        var scores = new[] { first, second }.ToDictionary(p => p, p => Enrollments.Score(_faces.Analyze(p).Quality));
        var best = scores.MaxBy(p => p.Value).Key;

        var one = await PresentAsync(first);
        var two = await PresentAsync(second);

        Assert.False(one!.Granted);
        Assert.False(two!.Granted);
        Assert.Empty(_rig.Outbox.OfType<EnrollmentCapturedReply>());
        Assert.Equal(LedColor.Blue, _rig.Led.Color);
        _rig.Clock.Advance(Enrollments.FaceWindow);

        var reply = Assert.Single(_rig.Outbox.OfType<EnrollmentCapturedReply>());
        Assert.Equal((command.Id, _enrollment, EnrollmentKind.Face), (reply.CommandId, reply.EnrollmentId, reply.Kind));
        Assert.Null(reply.FaceRejection);
        var key = FaceTemplateSeal.DeriveKeyFromPassword("rig-password", DeviceRig.DeviceId);
        var image = DeviceChannelCipher.TryOpen(key, reply.Face, EnrollmentCapturedReply.FaceContext(_enrollment));
        Assert.Equal(FaceAssets.Photo(best), image);
        Assert.Equal(LedColor.Amber, _rig.Led.Color);
        Assert.Equal("captured", _rig.Enrollments.State);
        Assert.Equal(0, _rig.Events.Count);

        _rig.Commands.Handle(new EnrollmentOutcomeCommand(Guid.CreateVersion7(), DeviceRig.Start, _enrollment, true, "Face enrolled"));
        Assert.Equal(LedColor.Green, _rig.Led.Color);
        Assert.Equal("Face enrolled", _rig.Speaker.Prompt);
    }

    [Fact]
    public async Task Frame_TwoPeople_SaysOnlyOnePersonAndKeepsWaiting()
    {
        Start();

        var outcome = await PresentAsync("sample1.jpg");

        Assert.Equal("multipleFaces", outcome!.Reason);
        Assert.Equal("Only one person, please", _said[^1]);
        Assert.Equal(LedColor.Blue, _rig.Led.Color);
        Assert.Equal("waiting", _rig.Enrollments.State);
        Assert.Empty(_rig.Outbox.Sent);
    }

    [Fact]
    public async Task Window_EndsWithoutAGoodFrame_SendsTheLastReasonAndNoImage()
    {
        var command = Start();
        await PresentAsync("sample5.jpg");

        _rig.Clock.Advance(command.ExpiresAt - Enrollments.FaceSendMargin - _rig.Clock.GetUtcNow());

        var reply = Assert.Single(_rig.Outbox.OfType<EnrollmentCapturedReply>());
        Assert.Null(reply.Face);
        Assert.Equal("multipleFaces", reply.FaceRejection);
        _rig.Commands.Handle(new EnrollmentOutcomeCommand(Guid.CreateVersion7(), DeviceRig.Start, _enrollment, false, "Only one person, please"));
        Assert.Equal(LedColor.Red, _rig.Led.Color);
        Assert.Equal("Only one person, please", _rig.Speaker.Prompt);
    }

    [Fact]
    public async Task Window_NoFrameAtAll_GoesIdleAndSendsNothing()
    {
        var command = Start();

        _rig.Clock.Advance(command.ExpiresAt - _rig.Clock.GetUtcNow());

        Assert.Empty(_rig.Outbox.Sent);
        Assert.Null(_rig.Enrollments.State);
        Assert.Equal(LedColor.Off, _rig.Led.Color);
        Assert.Null(await PresentAsync("franck_02159.jpg"));
    }

    [Fact]
    public async Task Frame_NoEnrollmentWaiting_IsNotTaken()
    {
        Assert.Null(await PresentAsync("franck_02159.jpg"));
    }

    [Fact]
    public void Fit_LargeFrame_IsReencodedUnderTheLimitAndStillAFace()
    {
        var photo = FaceAssets.Photo("sample6.jpg");
        Assert.True(photo.Length > 200 * 1024);

        var fitted = FaceFrames.Fit(photo, 100 * 1024);

        Assert.NotNull(fitted);
        Assert.InRange(fitted.Length, 1, 100 * 1024);
        Assert.Equal(FaceRejection.MultipleFaces, _faces.Load.Engine!.Analyze(fitted).Rejection);
    }

    private EnrollCommand Start()
    {
        var command = new EnrollCommand(_enrollment, DeviceRig.Start, _enrollment, EnrollmentKind.Face, DeviceRig.Start.AddSeconds(30));
        _rig.Commands.Handle(command);
        Assert.Equal(LedColor.Blue, _rig.Led.Color);
        Assert.Equal(Enrollments.FacePrompt, _rig.Speaker.Prompt);
        Assert.Equal("waiting", _rig.Enrollments.State);
        return command;
    }

    private async Task<FaceOutcome?> PresentAsync(string photo)
    {
        var outcome = await _rig.Enrollments.TryTakeFaceAsync(new CameraFrame(FaceAssets.Photo(photo), "image/jpeg"), CancellationToken.None);
        if (_rig.Speaker.Prompt is { } prompt && (_said.Count == 0 || _said[^1] != prompt))
        {
            _said.Add(prompt);
        }

        return outcome;
    }

    private sealed class CameraWithLens : ICamera
    {
        public bool CanCapture => true;

        public void Attach(Func<CameraFrame, CancellationToken, Task<FaceOutcome>> onFrame)
        {
        }
    }
}
