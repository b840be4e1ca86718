namespace Gatehouse.Core.Schedules;

/// <summary>A weekly window of local wall-clock time, <c>[Start, End)</c>, on one day of the week.</summary>
public readonly record struct WeeklyWindow(DayOfWeek Day, TimeOnly Start, TimeOnly End);
