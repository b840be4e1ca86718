using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Users;

/// <summary><c>POST /api/v1/users/import</c> and <c>GET /api/v1/users/export.csv</c>: the console's CSV, scripted.</summary>
public sealed class UserCsvApiTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Header = "firstName,lastName,email,phone,status,validFrom,validUntil,accessGroups";

    [Fact]
    public async Task Import_FileWithBomAndQuotes_CreatesEveryUser()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync(name: "Night shift");
        var csv = "\uFEFF" + Header + "\r\n\"Zoë\",\"Lima, da Silva\",zoe@example.com,+4930123456,suspended,2026-03-09,,Night shift\r\nBo,Berg,,,,,,\r\n";

        var report = await (await ImportAsync(org.Owner, csv)).JsonAsync();

        Assert.False(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        Assert.Equal([2, 3], report.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("line").GetInt32()));
        var users = (await org.Owner.GetJsonAsync("/api/v1/users")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Berg", "Lima, da Silva"], users.Select(u => u.Str("lastName")));
        Assert.Equal(("Zoë", "suspended", "+4930123456"), (users[1].Str("firstName"), users[1].Str("status"), users[1].Str("phone")));
        Assert.Equal([group.Id()], users[1].Strings("accessGroupIds"));
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 0, 0, 0, TimeSpan.Zero), users[1].GetProperty("validFrom").GetDateTimeOffset());
    }

    [Fact]
    public async Task Import_DryRun_AnswersTheReportAndWritesNothing()
    {
        var org = await app.NewOrganizationAsync();

        var report = await (await ImportAsync(org.Owner, $"{Header}\nAna,Lima,,,,,,\n", dryRun: true)).JsonAsync();

        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(0, report.GetProperty("imported").GetInt32());
        Assert.Equal("Ana", Assert.Single(report.GetProperty("users").EnumerateArray()).Str("firstName"));
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_BadRows_400NamingLineAndColumnAndChangesNothing(bool dryRun)
    {
        var org = await app.NewOrganizationAsync();
        var csv = "firstName,lastName,email,accessGroups\nAna,Lima,,\n,Berg,not-an-email,\nCy,Dunn,,Cleaners\nDi,\"Eve\n";

        var response = await ImportAsync(org.Owner, csv, dryRun);

        Assert.NotEmpty(await response.AssertFieldErrorAsync("lines[3].firstName"));
        await response.AssertFieldErrorAsync("lines[3].email");
        Assert.Contains("Cleaners", (await response.AssertFieldErrorAsync("lines[4].accessGroups"))[0], StringComparison.Ordinal);
        Assert.Contains("quote", (await response.AssertFieldErrorAsync("lines[5].line"))[0], StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Import_TenThousandRows_IsRefusedAsAWhole()
    {
        var org = await app.NewOrganizationAsync();

        var response = await ImportAsync(org.Owner, UserCsvTests.Rows(10_000));

        var messages = await response.AssertFieldErrorAsync("file");
        Assert.Contains($"{UserService.MaxImportRows:N0}", messages[0], StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Import_AsManyRowsAsTheMaximum_CreatesThemAll()
    {
        var org = await app.NewOrganizationAsync();

        var report = await (await ImportAsync(org.Owner, UserCsvTests.Rows(UserService.MaxImportRows))).JsonAsync();

        Assert.Equal(UserService.MaxImportRows, report.GetProperty("imported").GetInt32());
        Assert.Equal(UserService.MaxImportRows, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Import_FileOverOneMegabyte_Is413AndNothingIsCreated()
    {
        var org = await app.NewOrganizationAsync();
        var csv = "firstName,lastName\n" + string.Concat(Enumerable.Repeat($"Ana,{new string('x', 250)}\n", 4200));

        var response = await ImportAsync(org.Owner, csv);

        Assert.True(Encoding.UTF8.GetByteCount(csv) > UserCsv.MaxFileBytes);
        await response.AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Import_Viewer_IsForbiddenAndNothingIsCreated()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");

        var response = await ImportAsync(viewer, $"{Header}\nAna,Lima,,,,,,\n");

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Import_JsonBody_Is415()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostRawAsync("/api/v1/users/import", "{}");

        await response.AssertStatusAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Export_ThenImportElsewhere_GivesTheSameUsers()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync(name: "Staff");
        await org.Owner.CreateAsync("/api/v1/users", new
        {
            firstName = "=Zoë",
            lastName = "Łukasiewicz, \"Jr\"",
            email = "zoe@example.com",
            phone = "+4930123456",
            status = "suspended",
            validFrom = "2026-03-09T08:00:00Z",
            validUntil = "2026-12-31T22:00:00Z",
            accessGroupIds = new[] { group.Id() },
        });
        await org.Owner.NewUserAsync("Bo", "Berg");
        var viewer = await org.MemberAsync("viewer");

        var export = await viewer.GetAsync("/api/v1/users/export.csv");
        await export.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var bytes = await export.Content.ReadAsByteArrayAsync();
        Assert.Contains("\"'=Zoë\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var other = await app.NewOrganizationAsync();
        var theirGroup = await other.Owner.NewAccessGroupAsync(name: "Staff");
        await (await other.Owner.PostAsync("/api/v1/users/import", Csv(bytes))).JsonAsync();

        var original = Comparable(await org.Owner.GetJsonAsync("/api/v1/users"), group.Id());
        var imported = Comparable(await other.Owner.GetJsonAsync("/api/v1/users"), theirGroup.Id());
        Assert.Equal(original, imported);
        Assert.Equal("=Zoë", imported[1].Split('|')[0]);
    }

    [Fact]
    public async Task OpenApi_DescribesImportAndExport()
    {
        var org = await app.NewOrganizationAsync();

        var paths = (await org.Owner.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");

        Assert.True(paths.GetProperty("/api/v1/users/import").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("text/csv", out _));
        Assert.True(paths.GetProperty("/api/v1/users/export.csv").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/csv", out _));
    }

    private static List<string> Comparable(JsonElement page, string groupId) =>
    [
        .. page.GetProperty("items").EnumerateArray().Select(u => string.Join('|',
            u.Str("firstName"), u.Str("lastName"), Optional(u, "email"), Optional(u, "phone"), u.Str("status"),
            Optional(u, "validFrom"), Optional(u, "validUntil"), string.Join(';', u.Strings("accessGroupIds").Select(g => g == groupId ? "group" : g)))),
    ];

    private static string? Optional(JsonElement u, string property) =>
        u.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : null;

    private static Task<HttpResponseMessage> ImportAsync(HttpClient client, string csv, bool dryRun = false) =>
        client.PostAsync($"/api/v1/users/import{(dryRun ? "?dryRun=true" : "")}", Csv(Encoding.UTF8.GetBytes(csv)));

    private static ByteArrayContent Csv(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        return content;
    }
}
