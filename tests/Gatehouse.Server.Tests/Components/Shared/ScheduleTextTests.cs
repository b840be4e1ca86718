using Gatehouse.Server.Components.Shared;

namespace Gatehouse.Server.Tests.Components.Shared;

/// <summary>A schedule stored before windows were limited may hold thousands; the console still draws a small week.</summary>
public sealed class ScheduleTextTests
{
    private static IEnumerable<(IEnumerable<string> Days, string? Start, string? End)> Windows(int count, string day = "Monday") =>
        Enumerable.Range(0, count).Select(_ => ((IEnumerable<string>)[day], (string?)"08:00", (string?)"18:00"));

    [Fact]
    public void Spans_ManyEqualWindows_AreOneBar()
    {
        var spans = ScheduleText.Spans(Windows(100_000));

        Assert.Equal([(DayOfWeek.Monday, 480, 1080)], spans);
    }

    [Fact]
    public void Spans_OverlappingAndTouchingWindows_MergeButGapsStay()
    {
        var spans = ScheduleText.Spans(
        [
            (["Monday"], "08:00", "12:00"),
            (["Monday"], "11:00", "13:00"),
            (["Monday"], "13:00", "14:00"),
            (["Monday"], "15:00", "16:00"),
            (["Tuesday"], "08:00", "09:00"),
        ]);

        Assert.Equal([(DayOfWeek.Monday, 480, 840), (DayOfWeek.Monday, 900, 960), (DayOfWeek.Tuesday, 480, 540)], spans);
    }

    [Fact]
    public void Describe_ManyWindows_SpellsOutTenAndCountsTheRest()
    {
        var text = ScheduleText.Describe(Windows(100_000));

        Assert.EndsWith($"and {100_000 - ScheduleText.MaxDescribedWindows} more windows", text, StringComparison.Ordinal);
        Assert.True(text.Length < 1000);
    }

    [Fact]
    public void Describe_FewWindows_SpellsOutEach()
    {
        Assert.Equal("Mon 08:00–18:00; Mon 08:00–18:00", ScheduleText.Describe(Windows(2)));
        Assert.Equal("Never open", ScheduleText.Describe([]));
    }
}
