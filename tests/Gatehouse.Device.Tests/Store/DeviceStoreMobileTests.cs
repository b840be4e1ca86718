using System.Security.Cryptography;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Core.Mobile;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.Data.Sqlite;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Store;

public sealed class DeviceStoreMobileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static string PhoneKey()
    {
        using var phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return MobileKeys.ToText(MobileKeys.Export(phone));
    }

    [Fact]
    public void StoreMadeBeforeFacesAndPhones_IsUpgraded_KeepsItsCards_AndKeepsPhoneKeys()
    {
        Directory.CreateDirectory(_directory);
        using (var old = new SqliteConnection($"Data Source={Path.Combine(_directory, DeviceStore.FileName)}"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE credentials (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, suspended INTEGER NOT NULL, valid_from INTEGER, valid_until INTEGER, card TEXT);
                INSERT INTO credentials VALUES ('{AliceCard}', '{Alice}', 'card', 0, NULL, NULL, '{AliceCardText}');
                INSERT INTO meta VALUES ('sync_version', '7');
                """;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var key = PhoneKey();
        var phone = new SyncCredential(Id(50), Alice, SyncSnapshotSource.MobileType, false, MobileKey: key);
        using (var store = DeviceStore.Open(_directory))
        {
            var contents = store.Load();
            Assert.Equal(7, contents.Version);
            Assert.Equal(AliceCardText, contents.Credentials[AliceCard].Card);

            Assert.True(store.ApplyDelta(7, 8, new SyncData(Credentials: [phone])));
        }

        using var reopened = DeviceStore.Open(_directory);
        Assert.Equal(phone, reopened.Load().Credentials[Id(50)]);
    }

    [Fact]
    public void SeenTokens_OutliveASnapshotThatReplacesEverything()
    {
        using var store = DeviceStore.Open(_directory);
        var now = DeviceRig.Start;
        Assert.True(store.TryRecordToken(Id(50), "AAAAAAAAAAAAAAAAAAAAAA", now.AddSeconds(60), now));

        store.ReplaceAll(StoreContents.FromSnapshot(9, [Data()]));

        Assert.False(store.TryRecordToken(Id(50), "AAAAAAAAAAAAAAAAAAAAAA", now.AddSeconds(60), now));
        Assert.True(store.TryRecordToken(Id(51), "AAAAAAAAAAAAAAAAAAAAAA", now.AddSeconds(60), now));
    }
}
