using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Gatehouse.Server.Features.Devices.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// An agent's store and sync applier on their own, in a throwaway directory, with no MQTT and no host around
/// them: what one device does with a sync message, timed alone, to set beside the figures of a whole fleet.
/// </summary>
internal sealed class DetachedAgentStore : IDisposable
{
    private readonly DeviceStore _store;

    public DetachedAgentStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "gatehouse-device-load", "detached-" + Guid.NewGuid().ToString("N"));
        _store = DeviceStore.Open(Directory);
        Applier = new SyncApplier(_store, Engine, TimeProvider.System, Options.Create(new SyncOptions()), NullLogger<SyncApplier>.Instance);
    }

    public string Directory { get; }

    public AccessEngine Engine { get; } = new();

    public SyncApplier Applier { get; }

    /// <summary>
    /// The snapshot the gateway would send a device controlling <paramref name="doorId"/>, as the JSON payloads of
    /// its parts, read from the organization's store the way a sync round reads it.
    /// </summary>
    public static Task<List<byte[]>> SnapshotPayloadsAsync(LoadServer server, Guid organizationId, Guid doorId, Action<TimeSpan, TimeSpan>? timed = null)
    {
        var partSize = server.Services.GetRequiredService<IOptions<MqttOptions>>().Value.SnapshotPartSize;
        return server.InOrganizationAsync(organizationId, async (db, _) =>
        {
            var start = TimeProvider.System.GetTimestamp();
            var data = await OrganizationSyncData.LoadAsync(db, server.Services.GetRequiredService<Gatehouse.Server.Features.Faces.DeviceFaceTemplates>(), CancellationToken.None);
            var read = TimeProvider.System.GetTimestamp();
            var target = new SyncTarget(Guid.NewGuid(), new SyncDevice("Detached", "H10301"), [doorId], true, 0);
            var parts = data.ViewOf(target, null).ToSnapshotParts(partSize);
            var payloads = parts
                .Select((part, i) => JsonSerializer.SerializeToUtf8Bytes(new SyncMessage(SyncKind.Snapshot, 1, 0, i, parts.Count, part), DeviceProtocolJson.Default.SyncMessage))
                .ToList();
            timed?.Invoke(TimeProvider.System.GetElapsedTime(start, read), TimeProvider.System.GetElapsedTime(read));
            return payloads;
        });
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
