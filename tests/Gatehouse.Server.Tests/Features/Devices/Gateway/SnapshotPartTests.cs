using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Features.Devices.Gateway;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>
/// The size of what a device is sent when it holds many faces: each message must stay far below the broker's packet
/// limit (4 MiB on the documented Mosquitto) once the templates are sealed into it.
/// </summary>
public sealed class SnapshotPartTests
{
    private const string Model = "fr_feature@87aacdfe57510db2";

    [Fact]
    public void SnapshotParts_OfFiveThousandFaces_EachStayUnderAMegabyteWithTheirSealedTemplates()
    {
        var view = new DeviceView { Device = new SyncDevice("Front entrance reader") };
        var userId = Guid.NewGuid();
        view.Users[userId] = new SyncUser(userId, false, []);
        for (var i = 0; i < 5_000; i++)
        {
            var id = Guid.NewGuid();
            view.Credentials[id] = new SyncCredential(id, userId, "face", false, Face: new SyncFace(Model));
        }

        var parts = view.ToSnapshotParts(new MqttOptions().SnapshotPartSize);

        var key = FaceTemplateSeal.DeriveKeyFromPassword("device password", Guid.NewGuid());
        var vector = new float[512];
        vector[0] = 1;
        Assert.Equal(5_000, parts.Sum(p => p.Credentials!.Count));
        foreach (var part in parts)
        {
            var sealedPart = part with
            {
                Credentials = [.. part.Credentials!.Select(c => c with { Face = c.Face! with { Template = FaceTemplateSeal.Seal(key, c.Id, Model, vector) } })],
            };
            var message = new SyncMessage(SyncKind.Snapshot, 1, 0, 1, parts.Count, sealedPart);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(message, DeviceProtocolJson.Default.SyncMessage);
            Assert.InRange(bytes.Length, 1, 1024 * 1024);
        }
    }

    [Fact]
    public void Weight_OfADeltaWithManyFaces_IsMoreThanAPart_SoItGoesAsASnapshot()
    {
        var faces = Enumerable.Range(0, 101).Select(_ => new SyncCredential(Guid.NewGuid(), Guid.NewGuid(), "face", false, Face: new SyncFace(Model)));
        var cards = Enumerable.Range(0, 101).Select(_ => new SyncCredential(Guid.NewGuid(), Guid.NewGuid(), "card", false, Card: "H10301:1:1"));

        Assert.True(DeviceView.Weight(new SyncData(Credentials: [.. faces])) > new MqttOptions().SnapshotPartSize);
        Assert.True(DeviceView.Weight(new SyncData(Credentials: [.. cards])) < new MqttOptions().SnapshotPartSize);
    }
}
