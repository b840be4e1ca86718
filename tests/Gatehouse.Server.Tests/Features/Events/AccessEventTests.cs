using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Events;

public sealed class AccessEventTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 9, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task List_SeveralEvents_NewestFirstInPages()
    {
        var org = await app.NewOrganizationAsync();
        var door = Guid.NewGuid();
        await InsertAsync(org, Enumerable.Range(0, 5).Select(i => Event(door, T0.AddMinutes(i), name: $"E{i}")).ToArray());

        var first = await GetPageAsync(org.Owner, "/api/v1/events?page=1&pageSize=2");
        var last = await GetPageAsync(org.Owner, "/api/v1/events?page=3&pageSize=2");

        Assert.Equal(5, first.Total);
        Assert.Equal(2, first.PageSize);
        Assert.Equal([T0.AddMinutes(4), T0.AddMinutes(3)], first.Items.Select(e => e.OccurredAt));
        Assert.Equal(3, last.Page);
        Assert.Equal([T0], last.Items.Select(e => e.OccurredAt));
    }

    [Fact]
    public async Task List_Event_ShowsEveryField()
    {
        var org = await app.NewOrganizationAsync();
        var e = Event(Guid.NewGuid(), T0, name: "Front door", user: Guid.NewGuid(), reason: AccessReason.OutsideSchedule);
        e.CredentialId = Guid.NewGuid();
        e.CredentialType = CredentialType.Card;
        e.DeviceId = Guid.NewGuid();
        await InsertAsync(org, e);

        using var json = JsonDocument.Parse(await org.Owner.GetStringAsync("/api/v1/events"));

        var item = json.RootElement.GetProperty("items")[0];
        Assert.Equal(e.Id.ToString(), item.GetProperty("id").GetString());
        Assert.Equal("Front door", item.GetProperty("doorName").GetString());
        Assert.Equal("Ana Lima", item.GetProperty("userName").GetString());
        Assert.Equal(e.UserId.ToString(), item.GetProperty("userId").GetString());
        Assert.Equal("card", item.GetProperty("credentialType").GetString());
        Assert.False(item.GetProperty("granted").GetBoolean());
        Assert.Equal("outsideSchedule", item.GetProperty("reason").GetString());
        Assert.Equal("device", item.GetProperty("source").GetString());
        Assert.Equal(T0, item.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task List_FilteredByDoorUserAndResult_ShowsOnlyMatches()
    {
        var org = await app.NewOrganizationAsync();
        var (doorA, doorB, user) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await InsertAsync(org,
            Event(doorA, T0, user: user),
            Event(doorA, T0.AddMinutes(1), reason: AccessReason.UnknownCredential),
            Event(doorB, T0.AddMinutes(2), user: user, reason: AccessReason.NoAccessToDoor),
            Event(doorB, T0.AddMinutes(3)));

        var byDoor = await GetPageAsync(org.Owner, $"/api/v1/events?doorId={doorA}");
        var byUser = await GetPageAsync(org.Owner, $"/api/v1/events?userId={user}");
        var denied = await GetPageAsync(org.Owner, "/api/v1/events?result=denied");
        var grantedAtB = await GetPageAsync(org.Owner, $"/api/v1/events?result=granted&doorId={doorB}");

        Assert.Equal([T0.AddMinutes(1), T0], byDoor.Items.Select(e => e.OccurredAt));
        Assert.Equal([T0.AddMinutes(2), T0], byUser.Items.Select(e => e.OccurredAt));
        Assert.Equal(["noAccessToDoor", "unknownCredential"], denied.Items.Select(e => e.Reason));
        Assert.Equal([T0.AddMinutes(3)], grantedAtB.Items.Select(e => e.OccurredAt));
    }

    [Fact]
    public async Task List_FromAndTo_FromInclusiveToExclusive()
    {
        var org = await app.NewOrganizationAsync();
        var door = Guid.NewGuid();
        await InsertAsync(org, Event(door, T0), Event(door, T0.AddHours(1)), Event(door, T0.AddHours(2)));

        var from = Uri.EscapeDataString(T0.AddHours(1).ToString("O"));
        var to = Uri.EscapeDataString(T0.AddHours(2).ToString("O"));
        var page = await GetPageAsync(org.Owner, $"/api/v1/events?from={from}&to={to}");

        Assert.Equal([T0.AddHours(1)], page.Items.Select(e => e.OccurredAt));
    }

    [Fact]
    public async Task List_FromWithOffset_ComparesInstants()
    {
        var org = await app.NewOrganizationAsync();
        var door = Guid.NewGuid();
        await InsertAsync(org, Event(door, T0), Event(door, T0.AddHours(1)));

        // 14:30+02:00 is 12:30Z: only the 13:00Z event is at or after it.
        var page = await GetPageAsync(org.Owner, "/api/v1/events?from=2026-03-09T14:30:00%2B02:00");

        Assert.Equal([T0.AddHours(1)], page.Items.Select(e => e.OccurredAt));
    }

    [Theory]
    [InlineData("doorId=front-door", "doorId")]
    [InlineData("userId=42", "userId")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01T00:00:00Z", "to")]
    [InlineData("from=2026-03-09T12:00:00Z&to=2026-03-08T12:00:00Z", "to")]
    [InlineData("result=maybe", "result")]
    [InlineData("page=0", "page")]
    [InlineData("page=first", "page")]
    [InlineData("pageSize=100000", "pageSize")]
    public async Task List_BadQuery_400NamingTheParameter(string query, string field)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/v1/events?{query}");

        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Csv_BadQuery_400NamingTheParameter()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync("/api/v1/events.csv?result=all");

        await response.AssertFieldErrorAsync("result");
    }

    [Fact]
    public async Task List_EventsOfAnotherOrganization_AreNotShown()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirDoor = Guid.NewGuid();
        await InsertAsync(theirs, Event(theirDoor, T0, name: "Their door"));

        var all = await GetPageAsync(mine.Owner, "/api/v1/events");
        var byTheirDoor = await GetPageAsync(mine.Owner, $"/api/v1/events?doorId={theirDoor}");
        var csv = await mine.Owner.GetStringAsync("/api/v1/events.csv");

        Assert.Equal(0, all.Total);
        Assert.Equal(0, byTheirDoor.Total);
        Assert.DoesNotContain("Their door", csv, StringComparison.Ordinal);
        Assert.Equal(1, (await GetPageAsync(theirs.Owner, "/api/v1/events")).Total);
    }

    [Fact]
    public async Task List_Viewer_MayRead()
    {
        var org = await app.NewOrganizationAsync();
        await InsertAsync(org, Event(Guid.NewGuid(), T0));
        var viewer = await org.MemberAsync("viewer");

        var page = await GetPageAsync(viewer, "/api/v1/events");

        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task Csv_Events_HeaderThenOneQuotedRowEachNewestFirst()
    {
        var org = await app.NewOrganizationAsync();
        var door = Guid.NewGuid();
        var user = Guid.NewGuid();
        await InsertAsync(org,
            Event(door, T0, name: "Lobby, east", user: user),
            Event(door, T0.AddMinutes(5), name: "Say \"hi\"", reason: AccessReason.UnknownCredential));

        var response = await org.Owner.GetAsync("/api/v1/events.csv");
        var text = await response.Content.ReadAsStringAsync();

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = text.TrimStart('\uFEFF').Split("\r\n");
        Assert.Equal(4, lines.Length);
        Assert.Equal("", lines[3]);
        Assert.Equal("id,occurredAt,result,reason,doorId,doorName,userId,userName,credentialId,credentialType,source,deviceId,receivedAt,reasonText", lines[0]);
        Assert.StartsWith(",2026-03-09T12:05:00Z,denied,unknownCredential," + door + ",\"Say \"\"hi\"\"\",,,,,device,,", lines[1][36..], StringComparison.Ordinal);
        Assert.StartsWith(",2026-03-09T12:00:00Z,granted,granted," + door + ",\"Lobby, east\"," + user + ",Ana Lima,", lines[2][36..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_DeniedEvent_HasTheReasonInWordsBesideTheCode()
    {
        var org = await app.NewOrganizationAsync();
        await InsertAsync(org, Event(Guid.NewGuid(), T0, name: "Lobby", reason: AccessReason.UserSuspended));

        var csv = await org.Owner.GetStringAsync("/api/v1/events.csv");

        var lines = csv.TrimStart('\uFEFF').Split("\r\n");
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        Assert.Equal("userSuspended", row[Array.IndexOf(header, "reason")]);
        Assert.Equal("User suspended", row[Array.IndexOf(header, "reasonText")]);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1 555", "\"'+1 555\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    public async Task Csv_NameThatLooksLikeAFormula_IsDefused(string name, string cell)
    {
        var org = await app.NewOrganizationAsync();
        await InsertAsync(org, Event(Guid.NewGuid(), T0, name: name));

        var csv = await org.Owner.GetStringAsync("/api/v1/events.csv");

        Assert.Contains("," + cell + ",", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_Filters_AreApplied()
    {
        var org = await app.NewOrganizationAsync();
        var door = Guid.NewGuid();
        await InsertAsync(org,
            Event(door, T0, name: "Granted door"),
            Event(door, T0.AddMinutes(1), name: "Denied door", reason: AccessReason.CredentialSuspended));

        var csv = await org.Owner.GetStringAsync("/api/v1/events.csv?result=denied");

        Assert.Contains("Denied door", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Granted door", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_SameEventTwice_StoredOnce()
    {
        var org = await app.NewOrganizationAsync();
        var id = Guid.NewGuid();

        var first = await AppendAsync(org, Event(Guid.NewGuid(), T0, name: "Resent", id: id));
        var second = await AppendAsync(org, Event(Guid.NewGuid(), T0, name: "Resent", id: id));

        Assert.True(first);
        Assert.False(second);
        var page = await GetPageAsync(org.Owner, "/api/v1/events");
        Assert.Equal(1, page.Total);
        Assert.Equal(id, page.Items[0].Id);
    }

    [Fact]
    public async Task Append_BatchWithResentAndRepeatedEvents_StoresEachOnce()
    {
        var org = await app.NewOrganizationAsync();
        var door = Guid.NewGuid();
        var old = Event(door, T0, id: Guid.NewGuid());
        await AppendAsync(org, old);
        var fresh = Event(door, T0.AddMinutes(1));

        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        var written = await scope.ServiceProvider.GetRequiredService<AccessEventWriter>()
            .AppendAsync([Event(door, T0, id: old.Id), fresh, Event(door, T0.AddMinutes(1), id: fresh.Id)], CancellationToken.None);

        Assert.Equal(1, written);
        Assert.Equal(2, (await GetPageAsync(org.Owner, "/api/v1/events")).Total);
    }

    private static AccessEvent Event(
        Guid door, DateTimeOffset at, string name = "Main door", Guid? user = null, AccessReason reason = AccessReason.Granted, Guid? id = null) => new()
    {
        Id = id ?? Guid.CreateVersion7(),
        OccurredAt = at,
        DoorId = door,
        DoorName = name,
        UserId = user,
        UserName = user is null ? null : "Ana Lima",
        Granted = reason == AccessReason.Granted,
        Reason = reason,
        Source = AccessEventSource.Device,
        ReceivedAt = at.AddSeconds(1),
    };

    private async Task InsertAsync(TestOrganization org, params AccessEvent[] events)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        db.AccessEvents.AddRange(events);
        await db.SaveChangesAsync();
    }

    private async Task<bool> AppendAsync(TestOrganization org, AccessEvent e)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        return await scope.ServiceProvider.GetRequiredService<AccessEventWriter>().AppendAsync(e, CancellationToken.None);
    }

    private static async Task<EventPage> GetPageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<EventPage>())!;
    }

    private sealed record EventPage(List<EventItem> Items, int Page, int PageSize, int Total);

    private sealed record EventItem(Guid Id, DateTimeOffset OccurredAt, string Reason, bool Granted);
}
