using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
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
    public async Task WhoCanOpen_CloudKeyUsedRevokedOrLocked_IsNotGrantedWithTheUnlocksReason()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()]);
        var keys = new Dictionary<string, string>();
        foreach (var name in new[] { "Fresh", "Used", "Revoked", "Locked" })
        {
            var user = await org.Owner.NewUserAsync(name, "Key", [group.Id()]);
            keys[name] = (await NewCloudKeyAsync(org, user.Id())).Id();
        }

        await (await org.Owner.PostAsync($"/api/v1/cloud-keys/{keys["Revoked"]}/revoke", null)).JsonAsync();
        await MarkKeyAsync(org, keys["Used"], locked: false);
        await MarkKeyAsync(org, keys["Locked"], locked: true);

        var answers = (await WithExplorerAsync(org, e => e.WhoCanOpenAsync(Guid.Parse(door.Id()), MondayNoon, default))).Value!;

        var byKey = answers.ToDictionary(a => a.Credential.Id.ToString(), a => a.Decision);
        Assert.True(byKey[keys["Fresh"]].Granted);
        Assert.Equal((false, "credentialUsed"), (byKey[keys["Used"]].Granted, byKey[keys["Used"]].Reason));
        Assert.Equal((false, "credentialRevoked"), (byKey[keys["Revoked"]].Granted, byKey[keys["Revoked"]].Reason));
        Assert.Equal((false, "credentialLocked"), (byKey[keys["Locked"]].Granted, byKey[keys["Locked"]].Reason));
    }

    [Fact]
    public async Task WhereCanGo_UsedOneTimeCloudKey_ListsTheDoorAsNotOpening()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync(name: "Lab");
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()]);
        var ana = await org.Owner.NewUserAsync("Ana", "Lima", [group.Id()]);
        var key = await NewCloudKeyAsync(org, ana.Id());
        await MarkKeyAsync(org, key.Id(), locked: false);

        var result = await WithExplorerAsync(org, e => e.WhereCanGoAsync(Guid.Parse(ana.Id()), Guid.Parse(key.Id()), MondayNoon, default));

        var decision = Assert.Single(result.Value!).Decision!;
        Assert.False(decision.Granted);
        Assert.Equal("credentialUsed", decision.Reason);
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

    private async Task<System.Text.Json.JsonElement> NewCloudKeyAsync(TestOrganization org, string userId)
    {
        await (await org.Owner.PatchJsonAsync($"/api/v1/users/{userId}", new { email = $"{Guid.NewGuid():N}@example.com" })).JsonAsync();
        return await org.Owner.CreateAsync($"/api/v1/users/{userId}/credentials/cloud-keys",
            new { sendEmail = true, sendText = false, validUntil = app.Clock.GetUtcNow().AddDays(30), oneTimeUse = true });
    }

    /// <summary>Marks a key used, as its unlock does, or locked, as its fifth wrong PIN does.</summary>
    private async Task MarkKeyAsync(TestOrganization org, string keyId, bool locked)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        var id = Guid.Parse(keyId);
        var now = app.Clock.GetUtcNow();
        var key = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().Credentials.OfType<CloudKeyCredential>().Where(k => k.Id == id);
        Assert.Equal(1, locked
            ? await key.ExecuteUpdateAsync(s => s.SetProperty(k => k.LockedAt, now))
            : await key.ExecuteUpdateAsync(s => s.SetProperty(k => k.UsedAt, now)));
    }

    private async Task<T> WithExplorerAsync<T>(TestOrganization org, Func<AccessExplorer, Task<T>> ask)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        return await ask(scope.ServiceProvider.GetRequiredService<AccessExplorer>());
    }
}
