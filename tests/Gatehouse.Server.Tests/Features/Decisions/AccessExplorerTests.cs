using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Decisions;

/// <summary>The access explorer's answers, on either store (the browser tests run on SQLite only).</summary>
public sealed class AccessExplorerTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    // A Monday, inside the Monday/Tuesday 08:00–18:00 window of the helper schedule (site in Europe/Berlin).
    private static readonly DateTimeOffset MondayNoon = new(2026, 3, 9, 11, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WhoCanOpen_Door_DecidesEachCredentialWithItsReason()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()]);
        var ana = await org.Owner.NewUserAsync("Ana", "Lima", [group.Id()]);
        var bo = await org.Owner.NewUserAsync("Bo", "Berg");
        var anaCard = await Browser.ConsoleWorld.NewCardAsync(org.Owner, ana.Id(), 1, 1);
        await Browser.ConsoleWorld.NewCardAsync(org.Owner, bo.Id(), 1, 2);

        var result = await WithExplorerAsync(org, e => e.WhoCanOpenAsync(Guid.Parse(door.Id()), MondayNoon, default));

        var answers = result.Value!;
        Assert.Equal(["Ana Lima", "Bo Berg"], answers.Select(a => a.UserName));
        Assert.True(answers[0].Decision.Granted);
        Assert.Equal(anaCard.Id(), answers[0].Credential.Id.ToString());
        Assert.Equal(group.Str("name"), answers[0].AccessGroupName);
        Assert.Equal("noAccessToDoor", answers[1].Decision.Reason);
    }

    [Fact]
    public async Task WhoCanOpen_DoorOfAnotherOrganization_IsNotFound()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var theirs = await other.Owner.NewDoorAsync();

        var result = await WithExplorerAsync(org, e => e.WhoCanOpenAsync(Guid.Parse(theirs.Id()), MondayNoon, default));

        Assert.IsType<ApiError.NotFound>(result.Error);
    }

    [Fact]
    public async Task WhereCanGo_UserInAGroup_ListsItsDoorsWithScheduleAndDecision()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync(name: "Lab");
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()]);
        var ana = await org.Owner.NewUserAsync("Ana", "Lima", [group.Id()]);
        var card = await Browser.ConsoleWorld.NewCardAsync(org.Owner, ana.Id(), 1, 1);

        var atNoon = await WithExplorerAsync(org, e => e.WhereCanGoAsync(Guid.Parse(ana.Id()), Guid.Parse(card.Id()), MondayNoon, default));
        var atNight = await WithExplorerAsync(org, e => e.WhereCanGoAsync(Guid.Parse(ana.Id()), Guid.Parse(card.Id()), MondayNoon.AddHours(10), default));

        var reachable = Assert.Single(atNoon.Value!);
        Assert.Equal("Lab", reachable.DoorName);
        Assert.Equal(group.Id(), reachable.AccessGroupId.ToString());
        Assert.True(reachable.Decision!.Granted);
        Assert.Equal("outsideSchedule", Assert.Single(atNight.Value!).Decision!.Reason);
    }

    [Fact]
    public async Task DecideCard_OutOfRange_NamesTheCardField()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();

        var result = await WithExplorerAsync(org, e => e.DecideCardAsync(
            new PresentedCardRequest("H10301", 256, 1, null, null), [Guid.Parse(door.Id())], MondayNoon, default));

        var invalid = Assert.IsType<ApiError.Invalid>(result.Error);
        Assert.Contains("card.facilityCode", invalid.Errors.Keys);
    }

    private async Task<T> WithExplorerAsync<T>(TestOrganization org, Func<AccessExplorer, Task<T>> ask)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        return await ask(scope.ServiceProvider.GetRequiredService<AccessExplorer>());
    }
}
