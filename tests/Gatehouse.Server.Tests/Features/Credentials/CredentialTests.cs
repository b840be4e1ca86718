using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Credentials;

public sealed class CredentialTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    [Fact]
    public async Task AddCard_H10301_Returns201WithTheCard()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.PostAsJsonAsync(Cards(user), new
        {
            format = "H10301",
            facilityCode = 1,
            cardNumber = 11572,
            validFrom = "2026-03-01T08:00:00+01:00",
            validUntil = "2026-04-01T00:00:00Z",
        });

        var card = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/credentials/{card.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal(user.Id(), card.Str("userId"));
        Assert.Equal("card", card.Str("type"));
        Assert.Equal("active", card.Str("status"));
        Assert.Equal("H10301", card.Str("format"));
        Assert.Equal(1, card.GetProperty("facilityCode").GetInt64());
        Assert.Equal(11572, card.GetProperty("cardNumber").GetInt64());
        Assert.True(card.IsNull("csn"));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.Zero), card.GetProperty("validFrom").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), card.GetProperty("validUntil").GetDateTimeOffset());
        Assert.Equal(card.Id(), (await org.Owner.GetJsonAsync($"/api/v1/credentials/{card.Id()}")).Id());
    }

    [Theory]
    [InlineData("H10302", null, 34_359_738_367L, null)]
    [InlineData("H10304", 65_535L, 524_287L, null)]
    [InlineData("C1000-35", 4_095L, 1_048_575L, null)]
    [InlineData("C1000-48", 4_194_303L, 8_388_607L, null)]
    [InlineData("CSN", null, null, "04A224B2C15E80")]
    public async Task AddCard_EachFormatAtItsLimits_IsAccepted(string format, long? facilityCode, long? cardNumber, string? csn)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var card = await org.Owner.CreateAsync(Cards(user), new { format, facilityCode, cardNumber, csn });

        Assert.Equal(format, card.Str("format"));
        Assert.Equal(csn, card.GetProperty("csn").GetString());
        Assert.Equal(cardNumber, card.IsNull("cardNumber") ? null : card.GetProperty("cardNumber").GetInt64());
    }

    [Fact]
    public async Task AddCard_LowerCaseCsn_IsStoredUpperCase()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var card = await org.Owner.CreateAsync(Cards(user), new { format = "CSN", csn = "04a224b2" });

        Assert.Equal("04A224B2", card.Str("csn"));
    }

    [Theory]
    [InlineData("de:ad:be:ef")]
    [InlineData("DE-AD-BE-EF")]
    [InlineData("de ad be ef")]
    public async Task AddCard_CsnWithSeparatorsBetweenBytePairs_IsStoredAsPlainUpperCaseHex(string csn)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var card = await org.Owner.CreateAsync(Cards(user), new { format = "CSN", csn });

        Assert.Equal("DEADBEEF", card.Str("csn"));
        var again = await org.Owner.PostAsJsonAsync(Cards(user), new { format = "CSN", csn = "DEADBEEF" });
        await again.AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"format":"CSN","csn":"dead:beef"}""", "csn")]
    [InlineData("""{"format":"CSN","csn":"de:ad-be:ef"}""", "csn")]
    [InlineData("""{"format":"H10301","facilityCode":256,"cardNumber":1}""", "facilityCode")]
    [InlineData("""{"format":"H10301","facilityCode":-1,"cardNumber":1}""", "facilityCode")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":65536}""", "cardNumber")]
    [InlineData("""{"format":"H10304","facilityCode":1,"cardNumber":524288}""", "cardNumber")]
    [InlineData("""{"format":"H10301","cardNumber":1}""", "facilityCode")]
    [InlineData("""{"format":"H10301","facilityCode":1}""", "cardNumber")]
    [InlineData("""{"format":"H10302","facilityCode":1,"cardNumber":1}""", "facilityCode")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":1,"csn":"04A224B2"}""", "csn")]
    [InlineData("""{"format":"CSN","csn":"04A224B2","cardNumber":5}""", "cardNumber")]
    [InlineData("""{"format":"CSN"}""", "csn")]
    [InlineData("""{"format":"CSN","csn":"04A224B"}""", "csn")]
    [InlineData("""{"format":"CSN","csn":"04A224BZ"}""", "csn")]
    [InlineData("""{"format":"CSN","csn":"04A224B2C1"}""", "csn")]
    [InlineData("""{"format":"H10999","facilityCode":1,"cardNumber":1}""", "format")]
    [InlineData("""{"facilityCode":1,"cardNumber":1}""", "format")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":1,"validFrom":"2026-04-01T00:00:00Z","validUntil":"2026-04-01T00:00:00Z"}""", "validUntil")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":1.5}""", "cardNumber")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":1,"pin":"1234"}""", "pin")]
    public async Task AddCard_BadInput_400NamingTheFieldAndNothingStored(string body, string field)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.PostRawAsync(Cards(user), body);

        await response.AssertFieldErrorAsync(field);
        Assert.Equal(0, await org.Owner.TotalAsync(Credentials(user)));
    }

    [Fact]
    public async Task AddCard_SameCardHeldByAnotherUser_409AndNothingStored()
    {
        var org = await app.NewOrganizationAsync();
        var ana = await org.Owner.NewUserAsync();
        var bo = await org.Owner.NewUserAsync("Bo", "Berg");
        await org.Owner.CreateAsync(Cards(ana), new { format = "H10301", facilityCode = 1, cardNumber = 11572 });

        var response = await org.Owner.PostAsJsonAsync(Cards(bo), new { format = "h10301", facilityCode = 1, cardNumber = 11572 });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(0, await org.Owner.TotalAsync(Credentials(bo)));
    }

    [Fact]
    public async Task AddCard_SameCsnInOtherCase_409()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await org.Owner.CreateAsync(Cards(user), new { format = "CSN", csn = "04A224B2C15E80" });

        var response = await org.Owner.PostAsJsonAsync(Cards(user), new { format = "CSN", csn = "04a224b2c15e80" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AddCard_SameNumberInAnotherFormat_IsAnotherCard()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await org.Owner.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 1, cardNumber = 100 });

        var response = await org.Owner.PostAsJsonAsync(Cards(user), new { format = "H10304", facilityCode = 1, cardNumber = 100 });

        await response.AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AddCard_SameCardInAnotherOrganization_IsAccepted()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        await theirs.Owner.CreateAsync(Cards(await theirs.Owner.NewUserAsync()), new { format = "H10301", facilityCode = 7, cardNumber = 4242 });

        var response = await mine.Owner.PostAsJsonAsync(Cards(await mine.Owner.NewUserAsync()), new { format = "H10301", facilityCode = 7, cardNumber = 4242 });

        await response.AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AddCard_SameCardTwiceAtOnce_OneCreatedOneConflict()
    {
        var org = await app.NewOrganizationAsync();
        var ana = await org.Owner.NewUserAsync();
        var bo = await org.Owner.NewUserAsync("Bo", "Berg");
        var card = new { format = "C1000-48", facilityCode = 12, cardNumber = 345 };

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(i => org.Owner.PostAsJsonAsync(Cards(i % 2 == 0 ? ana : bo), card)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await org.Owner.TotalAsync(Credentials(ana)) + await org.Owner.TotalAsync(Credentials(bo)));
    }

    [Fact]
    public async Task List_UserWithCards_ListsOnlyTheirs()
    {
        var org = await app.NewOrganizationAsync();
        var ana = await org.Owner.NewUserAsync();
        var bo = await org.Owner.NewUserAsync("Bo", "Berg");
        var first = await org.Owner.CreateAsync(Cards(ana), new { format = "H10301", facilityCode = 1, cardNumber = 1 });
        var second = await org.Owner.CreateAsync(Cards(ana), new { format = "CSN", csn = "04A224B2" });
        await org.Owner.CreateAsync(Cards(bo), new { format = "H10301", facilityCode = 1, cardNumber = 2 });

        var list = await org.Owner.GetJsonAsync(Credentials(ana));

        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal([first.Id(), second.Id()], list.GetProperty("items").EnumerateArray().Select(i => i.Id()));
    }

    [Fact]
    public async Task Update_Suspend_ChangesOnlyTheStatus()
    {
        var org = await app.NewOrganizationAsync();
        var card = await NewCardAsync(org, validUntil: "2027-01-01T00:00:00Z");

        var updated = await (await org.Owner.PatchRawAsync(Credential(card), """{"status":"suspended"}""")).JsonAsync();

        Assert.Equal("suspended", updated.Str("status"));
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), updated.GetProperty("validUntil").GetDateTimeOffset());
        Assert.Equal("suspended", (await org.Owner.GetJsonAsync(Credential(card))).Str("status"));
    }

    [Fact]
    public async Task Update_NullValidUntil_ClearsIt()
    {
        var org = await app.NewOrganizationAsync();
        var card = await NewCardAsync(org, validUntil: "2027-01-01T00:00:00Z");

        var updated = await (await org.Owner.PatchRawAsync(Credential(card), """{"validUntil":null}""")).JsonAsync();

        Assert.True(updated.IsNull("validUntil"));
        Assert.Equal("active", updated.Str("status"));
    }

    [Theory]
    [InlineData("""{"validUntil":"2026-01-01T00:00:00Z"}""", "validUntil")]
    [InlineData("""{"validFrom":"2027-06-01T00:00:00Z"}""", "validFrom")]
    [InlineData("""{"validFrom":"2026-06-01T00:00:00Z","validUntil":"2026-05-01T00:00:00Z"}""", "validUntil")]
    [InlineData("""{"status":"lost"}""", "status")]
    [InlineData("""{"status":null}""", "status")]
    [InlineData("""{"format":"CSN"}""", "format")]
    public async Task Update_BadInput_400NamingTheFieldAndNothingChanged(string body, string field)
    {
        var org = await app.NewOrganizationAsync();
        var card = await NewCardAsync(org, validFrom: "2026-02-01T00:00:00Z", validUntil: "2027-01-01T00:00:00Z");

        var response = await org.Owner.PatchRawAsync(Credential(card), body);

        await response.AssertFieldErrorAsync(field);
        var stored = await org.Owner.GetJsonAsync(Credential(card));
        Assert.Equal("active", stored.Str("status"));
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), stored.GetProperty("validFrom").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), stored.GetProperty("validUntil").GetDateTimeOffset());
    }

    [Fact]
    public async Task Delete_Card_IsGoneAndTheCardMayBeEnrolledAgain()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var card = await org.Owner.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 3, cardNumber = 33 });

        var response = await org.Owner.DeleteAsync(Credential(card));

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        await (await org.Owner.GetAsync(Credential(card))).AssertStatusAsync(HttpStatusCode.NotFound);
        await org.Owner.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 3, cardNumber = 33 });
    }

    [Fact]
    public async Task DeleteUser_WithCards_RemovesTheirCards()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var card = await org.Owner.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 4, cardNumber = 44 });

        await (await org.Owner.DeleteAsync($"/api/v1/users/{user.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync(Credential(card))).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Credentials_OfAnotherOrganization_Are404AndUntouched()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirUser = await theirs.Owner.NewUserAsync();
        var theirCard = await theirs.Owner.CreateAsync(Cards(theirUser), new { format = "H10301", facilityCode = 9, cardNumber = 99 });

        await (await mine.Owner.GetAsync(Credential(theirCard))).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchRawAsync(Credential(theirCard), """{"status":"suspended"}""")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(Credential(theirCard))).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.GetAsync(Credentials(theirUser))).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PostAsJsonAsync(Cards(theirUser), new { format = "H10301", facilityCode = 9, cardNumber = 98 }))
            .AssertStatusAsync(HttpStatusCode.NotFound);

        var stored = await theirs.Owner.GetJsonAsync(Credentials(theirUser));
        Assert.Equal(1, stored.GetProperty("total").GetInt32());
        Assert.Equal("active", stored.GetProperty("items")[0].Str("status"));
    }

    [Fact]
    public async Task Credentials_UnknownIds_Are404()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.GetAsync($"/api/v1/credentials/{Guid.NewGuid()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await org.Owner.GetAsync($"/api/v1/users/{Guid.NewGuid()}/credentials")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await org.Owner.GetAsync("/api/v1/credentials/not-an-id")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Credentials_Viewer_ReadsButCannotChange()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var card = await org.Owner.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 5, cardNumber = 55 });
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync(Credential(card))).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.GetAsync(Credentials(user))).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostAsJsonAsync(Cards(user), new { format = "H10301", facilityCode = 5, cardNumber = 56 })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchRawAsync(Credential(card), """{"status":"suspended"}""")).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync(Credential(card))).AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal(1, await org.Owner.TotalAsync(Credentials(user)));
    }

    [Fact]
    public async Task Credentials_Admin_ManagesCards()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var admin = await org.MemberAsync("admin");

        var card = await admin.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 6, cardNumber = 66 });
        await (await admin.PatchRawAsync(Credential(card), """{"status":"suspended"}""")).AssertStatusAsync(HttpStatusCode.OK);
        await (await admin.DeleteAsync(Credential(card))).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    private static string Cards(JsonElement user) => $"/api/v1/users/{user.Id()}/credentials/cards";

    private static string Credentials(JsonElement user) => $"/api/v1/users/{user.Id()}/credentials";

    private static string Credential(JsonElement credential) => $"/api/v1/credentials/{credential.Id()}";

    private static async Task<JsonElement> NewCardAsync(TestOrganization org, string? validFrom = null, string? validUntil = null)
    {
        var user = await org.Owner.NewUserAsync();
        return await org.Owner.CreateAsync(Cards(user), new { format = "H10301", facilityCode = 2, cardNumber = Random.Shared.Next(0, 65_536), validFrom, validUntil });
    }
}
