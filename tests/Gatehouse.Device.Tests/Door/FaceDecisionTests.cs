using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Sync;
using Gatehouse.Faces;
using Gatehouse.Testing;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Door;

/// <summary>Faces decided at the door on the local store, with the real engine and the fake clock.</summary>
public sealed class FaceDecisionTests : IDisposable
{
    private static readonly Lazy<FaceEngineLoad> Faces = new(() => FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory }));
    private static readonly Guid AliceFace = Id(42);
    private static readonly byte[] Key = FaceTemplateSeal.DeriveKeyFromPassword("pw", Id(90));
    private readonly DeviceRig _rig;

    public FaceDecisionTests()
    {
        var engine = Faces.Value.Engine!;
        _rig = new DeviceRig(faceKey: new DeviceFaceKey(Key, engine.Model), faces: Faces.Value);
        var template = engine.Analyze(FaceAssets.Photo("franck_01829.jpg")).Template!;
        _rig.Snapshot(1, Data(new SyncCredential(AliceFace, Alice, "face", false, Face: new SyncFace(engine.Model, FaceTemplateSeal.Seal(Key, AliceFace, engine.Model, template.Vector)))));
    }

    public void Dispose() => _rig.Dispose();

    private Task<FaceOutcome> PresentAsync(string photo) =>
        _rig.Door.DecideFaceAsync(new CameraFrame(FaceAssets.Photo(photo), "image/jpeg"), CancellationToken.None);

    [Fact]
    public async Task SamePerson_DecidedOnceWithinTheWindow_AndAgainAfterIt()
    {
        var first = await PresentAsync("franck_04117.jpg");
        var again = await PresentAsync("franck_04117.jpg");
        _rig.Clock.Advance(TimeSpan.FromSeconds(6));
        var later = await PresentAsync("franck_04117.jpg");

        Assert.Equal(("granted", "repeat", "granted"), (first.Reason, again.Reason, later.Reason));
        var events = _rig.Events.PeekOldest(10);
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(("face", AliceFace, (Guid?)Alice), (e.CredentialType, e.CredentialId!.Value, e.UserId)));
        Assert.All(events, e => Assert.True(e.Score >= 0.42f && e.Liveness is not null));
    }

    [Fact]
    public async Task OutsideTheSchedule_TheFaceIsRefusedAsACardWouldBe()
    {
        _rig.Clock.Advance(TimeSpan.FromHours(10));

        var outcome = await PresentAsync("franck_04117.jpg");

        Assert.Equal("outsideSchedule", outcome.Reason);
        Assert.Equal("red", _rig.Led.Color.ToString().ToLowerInvariant());
    }

    [Fact]
    public async Task DrawingHeldUpToTheCamera_IsRefusedAsNotLive_AndIsNoAttempt()
    {
        var outcome = await PresentAsync("picasso_drawing_crop.jpg");

        Assert.False(outcome.Granted);
        Assert.Equal("notLive", outcome.Reason);
        Assert.Empty(_rig.Events.PeekOldest(10));
    }

    [Fact]
    public async Task FrameWithoutAFace_IsNoAttempt()
    {
        var outcome = await PresentAsync("ironman.jpg");

        Assert.False(outcome.Granted);
        Assert.Equal("noFace", outcome.Reason);
        Assert.Empty(_rig.Events.PeekOldest(10));
    }
}
