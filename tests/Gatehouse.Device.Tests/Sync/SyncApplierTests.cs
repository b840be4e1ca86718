using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Sync;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Sync;

public sealed class SyncApplierTests : IDisposable
{
    private readonly DeviceRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void OnConnected_NoStoreYet_AsksForASnapshotAtVersionZero()
    {
        var request = _rig.Sync.OnConnected();

        Assert.NotNull(request);
        Assert.Equal(0, request.HaveVersion);
    }

    [Fact]
    public void OnConnected_StoreInPlace_AsksForNothing()
    {
        _rig.Snapshot(3, Data());

        Assert.Null(_rig.Sync.OnConnected());
    }

    [Fact]
    public async Task Snapshot_AllPartsIn_ReplacesTheStoreAndTheDoorsDecide()
    {
        var parts = Split(Data(), 3, version: 5);

        Assert.Equal(SyncOutcome.Collected, _rig.Sync.Handle(parts[2]).Outcome);
        Assert.Equal(SyncOutcome.Collected, _rig.Sync.Handle(parts[0]).Outcome);
        Assert.Equal(SyncOutcome.Applied, _rig.Sync.Handle(parts[1]).Outcome);

        Assert.Equal(5, _rig.Engine.Current.Version);
        Assert.True((await _rig.TapAsync(AliceCardText)).Granted);
        Assert.True((await _rig.TapAsync(BobCardText)).Granted);
    }

    [Fact]
    public async Task Snapshot_PartsMissing_ChangesNothing()
    {
        _rig.Snapshot(2, Data());
        var parts = Split(new SyncData(Doors: Data().Doors, Credentials: []), 2, version: 3);

        Assert.Equal(SyncOutcome.Collected, _rig.Sync.Handle(parts[0]).Outcome);

        Assert.Equal(2, _rig.Engine.Current.Version);
        Assert.Equal(2, _rig.Store.Load().Version);
        Assert.True((await _rig.TapAsync(AliceCardText)).Granted);
    }

    [Fact]
    public void Snapshot_PartsNeverComplete_AsksAgainAfterTheTimeout()
    {
        _rig.Snapshot(2, Data());
        _rig.Sync.Handle(Split(Data(), 2, version: 3)[0]);
        Assert.Null(_rig.Sync.CheckTimeouts());

        _rig.Clock.Advance(new SyncOptions().SnapshotPartTimeout + TimeSpan.FromSeconds(1));
        var request = _rig.Sync.CheckTimeouts();

        Assert.NotNull(request);
        Assert.Equal(2, request.HaveVersion);
        Assert.Contains("incomplete", request.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_ReplacesEverything_RecordsMissingFromItAreGone()
    {
        _rig.Snapshot(2, Data());

        _rig.Snapshot(3, Data() with { Users = [new SyncUser(Alice, false, [Staff])], Credentials = [new SyncCredential(AliceCard, Alice, "card", false, Card: AliceCardText)] });

        var stored = _rig.Store.Load();
        Assert.Equal(3, stored.Version);
        Assert.Equal([Alice], stored.Users.Keys);
        Assert.Equal([AliceCard], stored.Credentials.Keys);
    }

    [Fact]
    public void Snapshot_SameOrOlderVersion_IsIgnored()
    {
        _rig.Snapshot(4, Data());

        Assert.Equal(SyncOutcome.Ignored, _rig.Snapshot(4, new SyncData()).Outcome);
        Assert.Equal(SyncOutcome.Ignored, _rig.Snapshot(3, new SyncData()).Outcome);
        Assert.Equal(2, _rig.Store.Load().Credentials.Count);
    }

    [Fact]
    public void Snapshot_PersistsAcrossARestart()
    {
        _rig.Snapshot(7, Data());
        _rig.Close();

        using var reopened = new DeviceRig(_rig.DataDirectory);

        Assert.Equal(7, reopened.Engine.Current.Version);
        Assert.Equal("Front desk", reopened.Engine.Current.Device?.Name);
        Assert.Equal([FrontDoor, BackDoor], reopened.Engine.Current.Doors.Select(d => d.Id));
        Assert.Equal(Data().Schedules![0].Windows, reopened.Store.Load().Schedules[OfficeHours].Windows);
    }

    [Fact]
    public async Task Delta_AtItsFromVersion_AppliesAndMovesTheVersion()
    {
        _rig.Snapshot(2, Data());

        var result = _rig.Delta(2, 3, new SyncData(
            Credentials: [new SyncCredential(AliceCard, Alice, "card", Suspended: true, Card: AliceCardText)],
            Removed: new SyncRemovals(Credentials: [BobCard])));

        Assert.Equal(SyncOutcome.Applied, result.Outcome);
        Assert.Equal(3, _rig.Store.Load().Version);
        Assert.Equal("credentialSuspended", (await _rig.TapAsync(AliceCardText)).Reason);
        Assert.Equal("unknownCredential", (await _rig.TapAsync(BobCardText)).Reason);
    }

    [Fact]
    public void Delta_WithAGap_AsksForASnapshotAndChangesNothing()
    {
        _rig.Snapshot(2, Data());

        var result = _rig.Delta(3, 4, new SyncData(Removed: new SyncRemovals(Credentials: [AliceCard])));

        Assert.Equal(SyncOutcome.Gap, result.Outcome);
        Assert.Equal(2, result.Request?.HaveVersion);
        Assert.Equal(2, _rig.Store.Load().Version);
        Assert.Contains(AliceCard, _rig.Store.Load().Credentials.Keys);
    }

    [Fact]
    public void Delta_GapsInARow_AskOncePerInterval()
    {
        _rig.Snapshot(2, Data());

        Assert.NotNull(_rig.Delta(3, 4, new SyncData()).Request);
        Assert.Null(_rig.Delta(4, 5, new SyncData()).Request);

        _rig.Clock.Advance(new SyncOptions().SyncRequestInterval);
        Assert.NotNull(_rig.Sync.CheckTimeouts());
    }

    [Fact]
    public void Delta_SameOrOlderVersion_IsIgnored()
    {
        _rig.Snapshot(5, Data());

        Assert.Equal(SyncOutcome.Ignored, _rig.Delta(4, 5, new SyncData(Removed: new SyncRemovals(Credentials: [AliceCard]))).Outcome);
        Assert.Equal(SyncOutcome.Ignored, _rig.Delta(2, 3, new SyncData()).Outcome);
        Assert.Contains(AliceCard, _rig.Store.Load().Credentials.Keys);
        Assert.Null(_rig.Sync.CheckTimeouts());
    }

    [Fact]
    public void Delta_NewDoor_GoesAfterTheOthers()
    {
        _rig.Snapshot(1, Data());
        var side = Id(3);

        _rig.Delta(1, 2, new SyncData(Doors: [new SyncDoor(side, "Side door", "UTC"), new SyncDoor(FrontDoor, "Main entrance", "Europe/Berlin")]));

        Assert.Equal([FrontDoor, BackDoor, side], _rig.Engine.Current.Doors.Select(d => d.Id));
        Assert.Equal("Main entrance", _rig.Engine.Current.Doors[0].Name);
        Assert.Equal([FrontDoor, BackDoor, side], _rig.Store.Load().Doors.Select(d => d.Id));
    }

    [Fact]
    public void Handle_BadPartNumbers_IsAGap()
    {
        var result = _rig.Sync.Handle(new SyncMessage(SyncKind.Snapshot, 3, 0, 5, 2, Data()));

        Assert.Equal(SyncOutcome.Gap, result.Outcome);
        Assert.Equal(0, _rig.Store.Load().Version);
    }

    [Fact]
    public void Snapshot_OneHundredThousandCredentials_IsAppliedAndDecides()
    {
        const int count = 100_000;
        var users = new List<SyncUser>(count);
        var credentials = new List<SyncCredential>(count);
        for (var i = 0; i < count; i++)
        {
            var user = Guid.CreateVersion7();
            users.Add(new SyncUser(user, false, [Staff]));
            credentials.Add(new SyncCredential(Guid.CreateVersion7(), user, "card", false, Card: $"H10304:{i / 500_000}:{i % 500_000}"));
        }

        var data = Data() with { Users = users, Credentials = credentials };

        Assert.Equal(SyncOutcome.Applied, _rig.Snapshot(9, data).Outcome);

        Assert.Equal(count, _rig.Engine.Current.Snapshot.CredentialCount);
        Assert.Equal(count, _rig.Store.Load().Credentials.Count);
    }

    private static SyncMessage[] Split(SyncData data, int parts, long version)
    {
        var credentials = data.Credentials ?? [];
        return [.. Enumerable.Range(0, parts).Select(i => new SyncMessage(
            SyncKind.Snapshot, version, 0, i, parts,
            i == 0
                ? data with { Credentials = [.. credentials.Where((_, n) => n % parts == 0)] }
                : new SyncData(Credentials: [.. credentials.Where((_, n) => n % parts == i)])))];
    }
}
