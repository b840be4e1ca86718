using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Tests.Schedules;

public class TimeZonesTests
{
    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Europe/Berlin")]
    [InlineData("Asia/Kolkata")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("UTC")]
    [InlineData("Etc/UTC")]
    [InlineData("US/Eastern")]
    public void TryFind_IanaId_FindsZoneWithThatId(string id)
    {
        Assert.True(TimeZones.TryFind(id, out var zone));
        Assert.Equal(id, zone.Id);
        Assert.True(TimeZones.IsValid(id));
    }

    [Theory]
    [InlineData("Eastern Standard Time")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("america/new_york")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("posixrules")]
    [InlineData("Factory")]
    [InlineData("right/UTC")]
    [InlineData("posix/Europe/Berlin")]
    [InlineData("../../etc/passwd")]
    [InlineData("/usr/share/zoneinfo/UTC")]
    [InlineData("+02:00")]
    [InlineData("Local")]
    [InlineData("")]
    [InlineData(null)]
    public void TryFind_NotAnIanaId_IsFalse(string? id)
    {
        Assert.False(TimeZones.TryFind(id, out var zone));
        Assert.Null(zone);
        Assert.False(TimeZones.IsValid(id));
    }

    [Fact]
    public void TryFind_AfterCanonicalSpellingWasFound_StillRejectsOtherCase()
    {
        Assert.True(TimeZones.TryFind("Europe/Paris", out _));

        Assert.False(TimeZones.TryFind("EUROPE/PARIS", out _));
    }
}
