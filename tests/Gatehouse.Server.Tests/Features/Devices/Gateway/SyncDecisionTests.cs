using Gatehouse.Server.Features.Devices.Gateway;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>What the server sends a device, from the versions alone: every case of <see cref="SyncDecision"/>.</summary>
public sealed class SyncDecisionTests
{
    [Theory]
    //          reported published floor hasView followed behindAtLastCheck → action, floor kept
    // Followed without a gap:
    [InlineData(5, 5, 3, true, true, false, SyncAction.Nothing, 5)] // in step
    [InlineData(4, 5, 4, true, true, false, SyncAction.Nothing, 4)] // one behind: the delta is on its way
    [InlineData(4, 5, 4, true, true, true, SyncAction.Snapshot, 4)] // one behind since the last check: the delta was lost without it knowing
    [InlineData(5, 5, 3, true, true, true, SyncAction.Nothing, 5)] // caught up since the last check
    [InlineData(3, 5, 3, true, true, false, SyncAction.Nothing, 3)] // two behind, not below what it held when they were sent
    [InlineData(6, 5, 4, true, true, false, SyncAction.Snapshot, 4)] // ahead of anything published: off the chain
    [InlineData(2, 5, 3, true, true, false, SyncAction.Snapshot, 3)] // behind what it already held: off the chain
    [InlineData(5, 5, 3, false, true, false, SyncAction.Snapshot, 3)] // the server lost the view it sent
    // Not followed (coming online, unknown to this run of the server, or the server's client reconnected):
    [InlineData(5, 5, 3, true, false, false, SyncAction.Delta, 3)] // holds the last published version: what changed while away
    [InlineData(4, 5, 4, true, false, false, SyncAction.Snapshot, 4)] // one behind: the delta may be lost
    [InlineData(6, 5, 4, true, false, false, SyncAction.Snapshot, 4)] // ahead: off the chain
    [InlineData(5, 5, 3, false, false, false, SyncAction.Snapshot, 3)] // no view to build a delta from
    [InlineData(7, -1, 0, false, false, false, SyncAction.Snapshot, 0)] // nothing published this run
    [InlineData(0, 5, 0, true, false, false, SyncAction.Snapshot, 0)] // an empty store
    public void For_Versions_DecidesTheAction(
        long reported, long published, long floor, bool hasView, bool followed, bool behindAtLastCheck, object action, long keptFloor)
    {
        var decision = SyncDecision.For(new DeviceVersions(reported, published, floor, hasView, followed, behindAtLastCheck));

        Assert.Equal(new SyncDecision((SyncAction)action, keptFloor), decision);
    }

    [Theory]
    [InlineData(4, 5, 4, true, true, true)] // one behind, on the chain: watched
    [InlineData(3, 5, 3, true, true, true)]
    [InlineData(5, 5, 3, true, true, false)] // in step
    [InlineData(6, 5, 3, true, true, false)] // ahead: its own report already gets it a snapshot
    [InlineData(2, 5, 3, true, true, false)] // below the floor: likewise
    [InlineData(4, 5, 4, false, true, false)] // no view: likewise
    [InlineData(4, 5, 4, true, false, false)] // not followed: its next report is taken at its word
    public void IsWaitingForDelta_Versions_OnlyBehindOnTheChain(long reported, long published, long floor, bool hasView, bool followed, bool waiting) =>
        Assert.Equal(waiting, SyncDecision.IsWaitingForDelta(new DeviceVersions(reported, published, floor, hasView, followed)));

    [Theory]
    [InlineData(5, 5, true, SyncAction.Delta)]
    [InlineData(4, 5, true, SyncAction.Snapshot)]
    [InlineData(5, 5, false, SyncAction.Snapshot)]
    public void TakenAtItsWord_Versions_DeltaOnlyFromTheLastPublishedView(long reported, long published, bool hasView, object action) =>
        Assert.Equal((SyncAction)action, SyncDecision.TakenAtItsWord(reported, published, hasView));
}
