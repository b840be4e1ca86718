using System.Globalization;
using System.Text;
using Gatehouse.Server.Features.Users;

namespace Gatehouse.Server.Tests.Features.Users;

public sealed class UserCsvTests
{
    private static readonly Guid Staff = Guid.CreateVersion7();
    private static readonly Guid Night = Guid.CreateVersion7();
    private static readonly Dictionary<string, Guid> Groups = new(StringComparer.Ordinal) { ["Staff"] = Staff, ["Night shift"] = Night };
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void Parse_QuotedCellsAndGroups_ReadsEveryColumn()
    {
        var file = UserCsv.Parse(
            "\uFEFFfirstName,lastName,email,phone,status,validFrom,validUntil,accessGroups\r\n" +
            "\"Ana, Maria\",\"Lima \"\"Ana\"\"\",ana@example.com,+4930123456,suspended,2026-03-09T08:00:00Z,,Staff; night SHIFT\r\n",
            Groups, Berlin);

        Assert.Null(file.Problem);
        var row = Assert.Single(file.Rows);
        Assert.Empty(row.Errors);
        Assert.Equal(2, row.Line);
        Assert.Equal("Ana, Maria", row.Request.FirstName);
        Assert.Equal("Lima \"Ana\"", row.Request.LastName);
        Assert.Equal("+4930123456", row.Request.Phone);
        Assert.Equal(UserStatus.Suspended, row.Request.Status);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 8, 0, 0, TimeSpan.Zero), row.Request.ValidFrom);
        Assert.Null(row.Request.ValidUntil);
        Assert.Equal([Staff, Night], row.Request.AccessGroupIds);
    }

    [Fact]
    public void Parse_DatesWithoutOffset_AreReadInTheZoneAsWholeDays()
    {
        var file = UserCsv.Parse("firstName,lastName,validFrom,validUntil\nAna,Lima,2026-07-01,2026-07-31\nBo,Berg,2026-07-01 08:30,\n", Groups, Berlin);

        Assert.Equal(new DateTimeOffset(2026, 6, 30, 22, 0, 0, TimeSpan.Zero), file.Rows[0].Request.ValidFrom);
        Assert.Equal(new DateTimeOffset(2026, 7, 31, 22, 0, 0, TimeSpan.Zero), file.Rows[0].Request.ValidUntil);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 6, 30, 0, TimeSpan.Zero), file.Rows[1].Request.ValidFrom);
    }

    [Fact]
    public void Parse_BadCells_NamesTheColumnsOfTheRowAndKeepsTheOthers()
    {
        var file = UserCsv.Parse("firstName,lastName,status,validFrom,accessGroups\nAna,Lima,,,\nBo,Berg,retired,yesterday,Cleaners\n", Groups, Berlin);

        Assert.Null(file.Problem);
        Assert.Empty(file.Rows[0].Errors);
        Assert.Equal(3, file.Rows[1].Line);
        Assert.Equal(["accessGroups", "status", "validFrom"], file.Rows[1].Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Cleaners", file.Rows[1].Errors["accessGroups"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void Parse_CrlfOrLf_ReadsTheSameRowsOnTheSameLines(string newline)
    {
        var file = UserCsv.Parse(string.Join(newline, "firstName,lastName", "\"Ana\",Lima", "", "Bo,Berg") + newline, Groups, Berlin);

        Assert.Null(file.Problem);
        Assert.Equal([("Ana", "Lima", 2), ("Bo", "Berg", 4)], file.Rows.Select(r => (r.Request.FirstName, r.Request.LastName, r.Line)));
    }

    [Fact]
    public void Parse_QuotedLineBreak_StaysInTheCellAndLaterRowsKeepTheirLines()
    {
        var file = UserCsv.Parse("firstName,lastName,email\r\n\"Ana\r\nMaria\",\"Lima, da Silva\",\r\nBo,Berg,\r\n", Groups, Berlin);

        Assert.Equal("Ana\r\nMaria", file.Rows[0].Request.FirstName);
        Assert.Equal("Lima, da Silva", file.Rows[0].Request.LastName);
        Assert.Equal([2, 4], file.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Parse_UnclosedQuote_IsAnErrorOfItsRowNamingTheQuote()
    {
        var file = UserCsv.Parse("firstName,lastName\nAna,Lima\nBo,\"Berg\n", Groups, Berlin);

        Assert.Null(file.Problem);
        Assert.Empty(file.Rows[0].Errors);
        var broken = file.Rows[1];
        Assert.Equal(3, broken.Line);
        Assert.Contains("quote", Assert.Single(broken.Errors[UserCsv.LineField]), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_QuoteInsideAnUnquotedCell_IsAnErrorOfItsRow()
    {
        var file = UserCsv.Parse("firstName,lastName\nAna,Li\"ma\nBo,Berg\n", Groups, Berlin);

        Assert.Equal([UserCsv.LineField], file.Rows[0].Errors.Keys);
        Assert.Empty(file.Rows[1].Errors);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("email,phone\nana@example.com,\n", "firstName")]
    [InlineData("firstName,lastName\n", "no users")]
    [InlineData("firstName,lastName,firstName\nA,B,C\n", "twice")]
    [InlineData("\"firstName,lastName\nAna,Lima\n", "quote")]
    public void Parse_BrokenFile_IsAProblemOfTheWholeFile(string text, string expected)
    {
        var file = UserCsv.Parse(text, Groups, Berlin);

        Assert.NotNull(file.Problem);
        Assert.Contains(expected, file.Problem, StringComparison.Ordinal);
        Assert.Empty(file.Rows);
    }

    [Fact]
    public void Parse_UnknownColumns_AreIgnoredAndListed()
    {
        var file = UserCsv.Parse("firstName,lastName,department\nAna,Lima,Sales\n", Groups, Berlin);

        Assert.Null(file.Problem);
        Assert.Equal(["department"], file.IgnoredColumns);
        Assert.Empty(file.Rows[0].Errors);
    }

    [Fact]
    public async Task Write_FormulaLikeValues_AreDefusedAndReadBack()
    {
        var user = new UserDto(Guid.CreateVersion7(), "=HYPERLINK(\"x\")", "@Lima", null, "+4930123456", UserStatus.Active, null, null, [Staff], default);

        var text = await ExportAsync(user);

        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", text, StringComparison.Ordinal);
        Assert.Contains("\"'@Lima\"", text, StringComparison.Ordinal);
        var row = Assert.Single(UserCsv.Parse(text, Groups, Berlin).Rows);
        Assert.Equal("=HYPERLINK(\"x\")", row.Request.FirstName);
        Assert.Equal("@Lima", row.Request.LastName);
        Assert.Equal("+4930123456", row.Request.Phone);
        Assert.Equal([Staff], row.Request.AccessGroupIds);
    }

    [Fact]
    public async Task Write_NonAsciiNamesAndLineBreaks_ReadBackAsWritten()
    {
        var users = new[]
        {
            new UserDto(Guid.CreateVersion7(), "Zoë", "Łukasiewicz-Müller", "zoe@example.com", null, UserStatus.Suspended,
                new DateTimeOffset(2026, 3, 9, 7, 0, 0, TimeSpan.Zero), null, [Staff, Night], default),
            new UserDto(Guid.CreateVersion7(), "美咲", "O'Brien, \"Jr\"", null, null, UserStatus.Active, null, null, [], default),
        };

        var text = await ExportAsync(users);

        Assert.StartsWith("\uFEFFfirstName,lastName,email,phone,status,validFrom,validUntil,accessGroups\r\n", text, StringComparison.Ordinal);
        var rows = UserCsv.Parse(text, Groups, Berlin).Rows;
        Assert.All(rows, r => Assert.Empty(r.Errors));
        Assert.Equal(["Zoë", "美咲"], rows.Select(r => r.Request.FirstName));
        Assert.Equal(["Łukasiewicz-Müller", "O'Brien, \"Jr\""], rows.Select(r => r.Request.LastName));
        Assert.Equal(UserStatus.Suspended, rows[0].Request.Status);
        Assert.Equal(users[0].ValidFrom, rows[0].Request.ValidFrom);
        Assert.Equal([Night, Staff], rows[0].Request.AccessGroupIds);
    }

    [Fact]
    public void Parse_MoreRowsThanTheMaximum_IsRefusedSayingTheLimit()
    {
        var file = UserCsv.Parse(Rows(10_000), Groups, Berlin);

        Assert.Equal($"The file has 10,000 users; import at most {UserService.MaxImportRows:N0} at a time.", file.Problem);
        Assert.Empty(file.Rows);
    }

    [Fact]
    public void Parse_AsManyRowsAsTheMaximum_ReadsEveryRow()
    {
        var file = UserCsv.Parse(Rows(UserService.MaxImportRows), Groups, Berlin);

        Assert.Null(file.Problem);
        Assert.Equal(UserService.MaxImportRows, file.Rows.Count);
        Assert.False(file.HasRowErrors);
    }

    /// <summary>A file of <paramref name="count"/> users.</summary>
    internal static string Rows(int count)
    {
        var text = new StringBuilder("firstName,lastName\r\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Ana {i},Lima\r\n");
        }

        return text.ToString();
    }

    [Fact]
    public async Task Write_StoredNameWithControlCharacters_NeverWritesANul()
    {
        var user = new UserDto(Guid.CreateVersion7(), "Ana\0Maria", "Li\u001Bma\u0085", null, null, UserStatus.Active, null, null, [], default);

        var text = await ExportAsync(user);

        Assert.DoesNotContain('\0', text);
        Assert.DoesNotContain('\u001B', text);
        Assert.DoesNotContain('\u0085', text);
        Assert.Contains("\r\nAna\uFFFDMaria,Li\uFFFDma\uFFFD,", text, StringComparison.Ordinal);
    }

    private static async Task<string> ExportAsync(params UserDto[] users)
    {
        using var body = new MemoryStream();
        await UserCsv.WriteAsync(body, users.ToAsyncEnumerable(), new Dictionary<Guid, string> { [Staff] = "Staff", [Night] = "Night shift" }, default);
        return new UTF8Encoding(false).GetString(body.ToArray());
    }
}
