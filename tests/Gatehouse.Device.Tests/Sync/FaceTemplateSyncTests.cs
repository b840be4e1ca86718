using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.Data.Sqlite;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Sync;

/// <summary>Face templates in the device's view: sealed in transit and at rest, opened only into memory.</summary>
public sealed class FaceTemplateSyncTests
{
    private const string Model = "fr_feature@0123456789abcdef";
    private static readonly Guid DeviceId = Id(90);
    private static readonly Guid AliceFace = Id(42);
    private static readonly byte[] Key = FaceTemplateSeal.DeriveKeyFromPassword("device-password", DeviceId);

    private static float[] Vector(int seed)
    {
        var random = new Random(seed);
        var v = new float[512];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5);
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    private static SyncCredential Face(Guid id, Guid user, string model, float[] vector, byte[]? key = null) =>
        new(id, user, "face", false, Face: new SyncFace(model, FaceTemplateSeal.Seal(key ?? Key, id, model, vector)));

    [Fact]
    public void Snapshot_FaceOfTheDevicesModel_IsIdentifiedFromMemoryAndStaysSealedOnDisk()
    {
        var alice = Vector(1);
        using var rig = new DeviceRig(faceKey: new DeviceFaceKey(Key, Model));

        rig.Snapshot(1, Data(Face(AliceFace, Alice, Model, alice)));

        var best = rig.Engine.Current.Faces.Best(alice);
        Assert.Equal(AliceFace, best?.CredentialId);
        Assert.True(best?.Score > 0.99f);
        var stored = RawTemplate(rig);
        Assert.NotNull(stored);
        Assert.Null(FaceTemplateSeal.Open(FaceTemplateSeal.DeriveKeyFromPassword("another device", DeviceId), AliceFace, Model, stored));
        Assert.DoesNotContain(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(alice.AsSpan())[..64]), stored, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_HoldingTemplatesOfAnotherModel_DropsThemFromRecognition()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));
        using (var before = new DeviceRig(directory, faceKey: new DeviceFaceKey(Key, "old_model@ffff")))
        {
            before.Snapshot(1, Data(Face(AliceFace, Alice, "old_model@ffff", Vector(1))));
            Assert.Equal(1, before.Engine.Current.Faces.Count);
            before.Close();
        }

        // The device's engine now runs another model: the old templates mean nothing to it.
        using var after = new DeviceRig(directory, faceKey: new DeviceFaceKey(Key, Model));

        Assert.Equal(0, after.Engine.Current.Faces.Count);
        Assert.Null(after.Engine.Current.Faces.Best(Vector(1)));
    }

    [Fact]
    public void Delta_FaceOfAUserDeletedMeanwhile_AppliesAndIsNotIdentified()
    {
        using var rig = new DeviceRig(faceKey: new DeviceFaceKey(Key, Model));
        rig.Snapshot(1, Data());

        var result = rig.Delta(1, 2, new SyncData(Credentials: [Face(AliceFace, Id(77), Model, Vector(3))]));

        Assert.Equal(SyncOutcome.Applied, result.Outcome);
        Assert.Equal(0, rig.Engine.Current.Faces.Count);
        Assert.Equal("granted", rig.Engine.Current.Snapshot.Decide(Gatehouse.Core.Cards.CardIdentity.Parse(AliceCardText).ToKey(), FrontDoor, DeviceRig.Start).Reason.ToApiName());
    }

    [Fact]
    public void Template_SealedForAnotherDeviceOrMovedToAnotherCredential_DoesNotOpen()
    {
        var vector = Vector(5);
        using var rig = new DeviceRig(faceKey: new DeviceFaceKey(Key, Model));
        var otherDevice = FaceTemplateSeal.DeriveKeyFromPassword("device-password", Id(91));
        var moved = new SyncCredential(Id(43), Bob, "face", false, Face: new SyncFace(Model, FaceTemplateSeal.Seal(Key, AliceFace, Model, vector)));

        rig.Snapshot(1, Data(Face(AliceFace, Alice, Model, vector, otherDevice), moved));

        Assert.Equal(0, rig.Engine.Current.Faces.Count);
    }

    [Fact]
    public void Delta_RemovingAFace_TakesItOutOfRecognition()
    {
        var alice = Vector(1);
        using var rig = new DeviceRig(faceKey: new DeviceFaceKey(Key, Model));
        rig.Snapshot(1, Data(Face(AliceFace, Alice, Model, alice)));

        rig.Delta(1, 2, new SyncData(Removed: new SyncRemovals(Credentials: [AliceFace])));

        Assert.Null(rig.Engine.Current.Faces.Best(alice));
    }

    private static string? RawTemplate(DeviceRig rig)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(rig.DataDirectory, DeviceStore.FileName)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT face_template FROM credentials WHERE type = 'face'";
        return command.ExecuteScalar() as string;
    }
}
