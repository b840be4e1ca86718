using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Users;

public sealed class UserTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Users = "/api/v1/users";

    [Fact]
    public async Task Create_AllFields_Returns201WithThem()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync();

        var response = await org.Owner.PostAsJsonAsync(Users, new
        {
            firstName = "Ana",
            lastName = "Lima",
            email = "ana@example.com",
            phone = "+4930123456",
            status = "suspended",
            validFrom = "2026-03-01T08:00:00+01:00",
            validUntil = "2026-04-01T00:00:00Z",
            accessGroupIds = new[] { group.Id() },
        });

        var user = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{Users}/{user.Id()}", response.Headers.Location?.OriginalString);
        var fetched = await org.Owner.GetJsonAsync($"{Users}/{user.Id()}");
        foreach (var u in new[] { user, fetched })
        {
            Assert.Equal("Ana", u.Str("firstName"));
            Assert.Equal("Lima", u.Str("lastName"));
            Assert.Equal("ana@example.com", u.Str("email"));
            Assert.Equal("+4930123456", u.Str("phone"));
            Assert.Equal("suspended", u.Str("status"));
            Assert.Equal(DateTimeOffset.Parse("2026-03-01T07:00:00Z"), u.GetProperty("validFrom").GetDateTimeOffset());
            Assert.Equal(DateTimeOffset.Parse("2026-04-01T00:00:00Z"), u.GetProperty("validUntil").GetDateTimeOffset());
            Assert.Equal([group.Id()], u.Strings("accessGroupIds"));
            Assert.True(u.TryGetProperty("createdAt", out _));
        }
    }

    [Fact]
    public async Task Create_NamesOnly_IsActiveWithNothingElse()
    {
        var org = await app.NewOrganizationAsync();

        var user = await org.Owner.CreateAsync(Users, new { firstName = "Bo", lastName = "Chen" });

        Assert.Equal("active", user.Str("status"));
        Assert.True(user.IsNull("email"));
        Assert.True(user.IsNull("phone"));
        Assert.True(user.IsNull("validFrom"));
        Assert.True(user.IsNull("validUntil"));
        Assert.Empty(user.Strings("accessGroupIds"));
    }

    [Fact]
    public async Task Create_SameEmailAsAnotherUser_IsAllowed()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.CreateAsync(Users, new { firstName = "Front", lastName = "Desk", email = "desk@example.com" });

        await org.Owner.CreateAsync(Users, new { firstName = "Night", lastName = "Desk", email = "desk@example.com" });

        Assert.Equal(2, await org.Owner.TotalAsync(Users));
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { """{"lastName": "Lima"}""", "firstName" },
        { """{"firstName": "Ana", "lastName": "  "}""", "lastName" },
        { "{\"firstName\": \"" + new string('a', 201) + "\", \"lastName\": \"Lima\"}", "firstName" },
        { """{"firstName": "Ana", "lastName": "Lima", "email": "not-an-email"}""", "email" },
        { """{"firstName": "Ana", "lastName": "Lima", "phone": "030 123456"}""", "phone" },
        { """{"firstName": "Ana", "lastName": "Lima", "phone": "+1234567"}""", "phone" },
        { """{"firstName": "Ana", "lastName": "Lima", "phone": "+1234567890123456"}""", "phone" },
        { """{"firstName": "Ana", "lastName": "Lima", "status": "gone"}""", "status" },
        { """{"firstName": "Ana", "lastName": "Lima", "validFrom": "2026-05-01T00:00:00Z", "validUntil": "2026-05-01T00:00:00Z"}""", "validUntil" },
        { """{"firstName": "Ana", "lastName": "Lima", "validFrom": "2026-05-02T00:00:00Z", "validUntil": "2026-05-01T00:00:00Z"}""", "validUntil" },
        { """{"firstName": "Ana", "lastName": "Lima", "accessGroupIds": ["00000000-0000-0000-0000-000000000001"]}""", "accessGroupIds[0]" },
        { """{"firstName": "Ana", "lastName": "Lima", "nickname": "A"}""", "nickname" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Create_BadField_Is400NamingItAndStoresNothing(string body, string field)
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.PostRawAsync(Users, body)).AssertFieldErrorAsync(field);

        Assert.Equal(0, await org.Owner.TotalAsync(Users));
    }

    [Fact]
    public async Task Create_MalformedJson_Is400AndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.PostRawAsync(Users, "{\"firstName\": \"Ana\" \"lastName\": }")).AssertStatusAsync(HttpStatusCode.BadRequest);

        Assert.Equal(0, await org.Owner.TotalAsync(Users));
    }

    [Fact]
    public async Task Create_AccessGroupOfAnotherOrganization_Is400NamingItAndStoresNothing()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var myGroup = await mine.Owner.NewAccessGroupAsync();
        var theirGroup = await theirs.Owner.NewAccessGroupAsync();

        var response = await mine.Owner.PostAsJsonAsync(Users, new { firstName = "Ana", lastName = "Lima", accessGroupIds = new[] { myGroup.Id(), theirGroup.Id() } });

        Assert.Contains(await response.AssertFieldErrorAsync("accessGroupIds[1]"), m => m.Contains("not found", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, await mine.Owner.TotalAsync(Users));
    }

    [Fact]
    public async Task List_OrderedByLastNameThenFirstName_AndPaged()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewUserAsync("Zoe", "Brown");
        await org.Owner.NewUserAsync("Adam", "Smith");
        await org.Owner.NewUserAsync("Anna", "Brown");

        var first = await org.Owner.GetJsonAsync($"{Users}?pageSize=2");
        var second = await org.Owner.GetJsonAsync($"{Users}?page=2&pageSize=2");

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["Anna Brown", "Zoe Brown"], first.GetProperty("items").EnumerateArray().Select(u => $"{u.Str("firstName")} {u.Str("lastName")}"));
        Assert.Equal(["Adam Smith"], second.GetProperty("items").EnumerateArray().Select(u => $"{u.Str("firstName")} {u.Str("lastName")}"));
    }

    [Theory]
    [InlineData("SMITH")]
    [InlineData("adA")]
    [InlineData("Ada@Example")]
    [InlineData("  smi  ")]
    public async Task List_Search_MatchesNamesAndEmailIgnoringCase(string search)
    {
        var org = await app.NewOrganizationAsync();
        var ada = await org.Owner.CreateAsync(Users, new { firstName = "Ada", lastName = "Smith", email = "ada@example.com" });
        await org.Owner.CreateAsync(Users, new { firstName = "Bob", lastName = "Jones", email = "bob@example.org" });

        var found = await org.Owner.ListIdsAsync($"{Users}?search={Uri.EscapeDataString(search)}");

        Assert.Equal([ada.Id()], found);
    }

    [Fact]
    public async Task List_SearchWithAccents_MatchesIgnoringCase()
    {
        var org = await app.NewOrganizationAsync();
        var muller = await org.Owner.NewUserAsync("Zoë", "Müller");
        await org.Owner.NewUserAsync("Zoe", "Muller");

        Assert.Equal([muller.Id()], await org.Owner.ListIdsAsync($"{Users}?search={Uri.EscapeDataString("MÜLLER")}"));
        Assert.Equal([muller.Id()], await org.Owner.ListIdsAsync($"{Users}?search={Uri.EscapeDataString("ZOË")}"));
    }

    [Fact]
    public async Task List_SearchWithWildcardCharacters_MatchesThemLiterally()
    {
        var org = await app.NewOrganizationAsync();
        var percent = await org.Owner.NewUserAsync("100%", "Club");
        await org.Owner.NewUserAsync("100", "Club");

        Assert.Equal([percent.Id()], await org.Owner.ListIdsAsync($"{Users}?search={Uri.EscapeDataString("0%")}"));
        Assert.Empty(await org.Owner.ListIdsAsync($"{Users}?search=_"));
    }

    [Fact]
    public async Task Patch_OneField_ChangesOnlyThatField()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync();
        var user = await org.Owner.CreateAsync(Users, new
        {
            firstName = "Ana", lastName = "Lima", email = "ana@example.com", phone = "+4930123456",
            validFrom = "2026-01-01T00:00:00Z", validUntil = "2027-01-01T00:00:00Z", accessGroupIds = new[] { group.Id() },
        });

        var patched = await (await org.Owner.PatchAsJsonAsync($"{Users}/{user.Id()}", new { lastName = "Lima-Souza" })).JsonAsync();

        var stored = await org.Owner.GetJsonAsync($"{Users}/{user.Id()}");
        foreach (var u in new[] { patched, stored })
        {
            Assert.Equal("Lima-Souza", u.Str("lastName"));
            Assert.Equal("Ana", u.Str("firstName"));
            Assert.Equal("ana@example.com", u.Str("email"));
            Assert.Equal("+4930123456", u.Str("phone"));
            Assert.Equal("active", u.Str("status"));
            Assert.Equal(user.GetProperty("validFrom").GetDateTimeOffset(), u.GetProperty("validFrom").GetDateTimeOffset());
            Assert.Equal(user.GetProperty("validUntil").GetDateTimeOffset(), u.GetProperty("validUntil").GetDateTimeOffset());
            Assert.Equal([group.Id()], u.Strings("accessGroupIds"));
        }
    }

    [Fact]
    public async Task Patch_NullOptionalFields_ClearsThem()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync(Users, new
        {
            firstName = "Ana", lastName = "Lima", email = "ana@example.com", phone = "+4930123456",
            validFrom = "2026-01-01T00:00:00Z", validUntil = "2027-01-01T00:00:00Z",
        });

        await (await org.Owner.PatchRawAsync($"{Users}/{user.Id()}", """{"email": null, "phone": null, "validFrom": null, "validUntil": null}"""))
            .AssertStatusAsync(HttpStatusCode.OK);

        var stored = await org.Owner.GetJsonAsync($"{Users}/{user.Id()}");
        Assert.True(stored.IsNull("email"));
        Assert.True(stored.IsNull("phone"));
        Assert.True(stored.IsNull("validFrom"));
        Assert.True(stored.IsNull("validUntil"));
        Assert.Equal("Ana", stored.Str("firstName"));
    }

    [Fact]
    public async Task Patch_StatusSuspended_SuspendsTheUser()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        await (await org.Owner.PatchAsJsonAsync($"{Users}/{user.Id()}", new { status = "suspended" })).AssertStatusAsync(HttpStatusCode.OK);

        Assert.Equal("suspended", (await org.Owner.GetJsonAsync($"{Users}/{user.Id()}")).Str("status"));
    }

    [Fact]
    public async Task Patch_AccessGroupIds_ReplacesTheSet()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        var a = await org.Owner.NewAccessGroupAsync(schedule.Id());
        var b = await org.Owner.NewAccessGroupAsync(schedule.Id());
        var c = await org.Owner.NewAccessGroupAsync(schedule.Id());
        var user = await org.Owner.NewUserAsync(accessGroupIds: [a.Id(), b.Id()]);

        await (await org.Owner.PatchAsJsonAsync($"{Users}/{user.Id()}", new { accessGroupIds = new[] { b.Id(), c.Id() } })).AssertStatusAsync(HttpStatusCode.OK);
        var replaced = await org.Owner.GetJsonAsync($"{Users}/{user.Id()}");
        await (await org.Owner.PatchAsJsonAsync($"{Users}/{user.Id()}", new { accessGroupIds = Array.Empty<string>() })).AssertStatusAsync(HttpStatusCode.OK);
        var emptied = await org.Owner.GetJsonAsync($"{Users}/{user.Id()}");

        Assert.Equal(new[] { b.Id(), c.Id() }.Order(), replaced.Strings("accessGroupIds").Order());
        Assert.Empty(emptied.Strings("accessGroupIds"));
    }

    [Fact]
    public async Task Patch_ValidUntilBeforeStoredValidFrom_Is400NamingValidUntilAndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync(Users, new { firstName = "Ana", lastName = "Lima", validFrom = "2026-06-01T00:00:00Z" });

        var response = await org.Owner.PatchAsJsonAsync($"{Users}/{user.Id()}", new { firstName = "Changed", validUntil = "2026-05-01T00:00:00Z" });

        await response.AssertFieldErrorAsync("validUntil");
        var stored = await org.Owner.GetJsonAsync($"{Users}/{user.Id()}");
        Assert.Equal("Ana", stored.Str("firstName"));
        Assert.True(stored.IsNull("validUntil"));
    }

    [Fact]
    public async Task Patch_BadFields_Is400NamingEachAndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirGroup = await theirs.Owner.NewAccessGroupAsync();
        var user = await org.Owner.CreateAsync(Users, new { firstName = "Ana", lastName = "Lima", email = "ana@example.com" });
        var url = $"{Users}/{user.Id()}";

        var response = await org.Owner.PatchRawAsync(url, $$"""{"firstName": null, "email": "nope", "phone": "12", "accessGroupIds": ["{{theirGroup.Id()}}"]}""");

        await response.AssertFieldErrorAsync("firstName");
        await response.AssertFieldErrorAsync("email");
        await response.AssertFieldErrorAsync("phone");
        await response.AssertFieldErrorAsync("accessGroupIds[0]");
        await (await org.Owner.PatchRawAsync(url, """{"status": null}""")).AssertFieldErrorAsync("status");
        await (await org.Owner.PatchRawAsync(url, """{"lastName": "x", "accessGroupIds": null}""")).AssertFieldErrorAsync("accessGroupIds");
        var stored = await org.Owner.GetJsonAsync(url);
        Assert.Equal("Ana", stored.Str("firstName"));
        Assert.Equal("Lima", stored.Str("lastName"));
        Assert.Equal("ana@example.com", stored.Str("email"));
        Assert.Equal("active", stored.Str("status"));
    }

    [Fact]
    public async Task Delete_User_RemovesItButNotItsAccessGroups()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync();
        var user = await org.Owner.NewUserAsync(accessGroupIds: [group.Id()]);

        await (await org.Owner.DeleteAsync($"{Users}/{user.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync($"{Users}/{user.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await org.Owner.TotalAsync(Users));
        await (await org.Owner.GetAsync($"/api/v1/access-groups/{group.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_UserWithCard_RemovesTheCardSoItCanBeGivenToSomeoneElse()
    {
        var org = await app.NewOrganizationAsync();
        var leaver = await org.Owner.NewUserAsync("Leaving", "Soon");
        var successor = await org.Owner.NewUserAsync("Coming", "Next");
        var card = new { format = "H10301", facilityCode = 12, cardNumber = 3456 };
        var credential = await org.Owner.CreateAsync($"{Users}/{leaver.Id()}/credentials/cards", card);

        await (await org.Owner.DeleteAsync($"{Users}/{leaver.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync($"/api/v1/credentials/{credential.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await org.Owner.CreateAsync($"{Users}/{successor.Id()}/credentials/cards", card);
    }

    [Fact]
    public async Task AnotherOrganizationsUser_Is404ForEveryCallAndUnchanged()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var user = await theirs.Owner.NewUserAsync("Their", "User");
        var url = $"{Users}/{user.Id()}";

        await (await mine.Owner.GetAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchAsJsonAsync(url, new { firstName = "Mine" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);

        Assert.Empty(await mine.Owner.ListIdsAsync($"{Users}?search=their"));
        Assert.Equal("Their", (await theirs.Owner.GetJsonAsync(url)).Str("firstName"));
    }

    [Fact]
    public async Task Viewer_CanReadButGets403OnChanges()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync("Ana", "Lima");
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync($"{Users}/{user.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.GetAsync($"{Users}?search=ana")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostAsJsonAsync(Users, new { firstName = "New", lastName = "User" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchAsJsonAsync($"{Users}/{user.Id()}", new { firstName = "Renamed" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync($"{Users}/{user.Id()}")).AssertStatusAsync(HttpStatusCode.Forbidden);

        Assert.Equal(1, await org.Owner.TotalAsync(Users));
        Assert.Equal("Ana", (await org.Owner.GetJsonAsync($"{Users}/{user.Id()}")).Str("firstName"));
    }
}
