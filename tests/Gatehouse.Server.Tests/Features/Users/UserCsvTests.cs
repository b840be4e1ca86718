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
    [InlineData("", "empty")]
    [InlineData("email,phone\nana@example.com,\n", "firstName")]
    [InlineData("firstName,lastName\n", "no users")]
    [InlineData("firstName,lastName,firstName\nA,B,C\n", "twice")]
    [InlineData("firstName,lastName\n\"Ana,Lima\n", "quote")]
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
    public void Row_FormulaLikeValues_AreDefusedAndReadBack()
    {
        var user = new UserDto(Guid.CreateVersion7(), "=HYPERLINK(\"x\")", "@Lima", null, "+4930123456", UserStatus.Active, null, null, [Staff], default);
        var text = UserCsv.Header(new StringBuilder()) + UserCsv.Row(new StringBuilder(), user, new Dictionary<Guid, string> { [Staff] = "Staff" });

        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", text, StringComparison.Ordinal);
        Assert.Contains("\"'@Lima\"", text, StringComparison.Ordinal);
        var row = Assert.Single(UserCsv.Parse(text, Groups, Berlin).Rows);
        Assert.Equal("=HYPERLINK(\"x\")", row.Request.FirstName);
        Assert.Equal("@Lima", row.Request.LastName);
        Assert.Equal("+4930123456", row.Request.Phone);
        Assert.Equal([Staff], row.Request.AccessGroupIds);
    }

    [Fact]
    public void Parse_MoreRowsThanTheMaximum_IsRefusedSayingTheLimit()
    {
        var text = new StringBuilder("firstName,lastName\n");
        for (var i = 0; i <= UserService.MaxImportRows; i++)
        {
            text.Append("Ana,Lima\n");
        }

        var file = UserCsv.Parse(text.ToString(), Groups, Berlin);

        Assert.Equal($"The file has {UserService.MaxImportRows + 1:N0} users; import at most {UserService.MaxImportRows:N0} at a time.", file.Problem);
        Assert.Empty(file.Rows);
    }

    [Fact]
    public void Row_StoredNameWithControlCharacters_NeverWritesANul()
    {
        var user = new UserDto(Guid.CreateVersion7(), "Ana\0Maria", "Li\u001Bma", null, null, UserStatus.Active, null, null, [], default);

        var text = UserCsv.Row(new StringBuilder(), user, new Dictionary<Guid, string>());

        Assert.DoesNotContain('\0', text);
        Assert.DoesNotContain('\u001B', text);
        Assert.StartsWith("Ana\uFFFDMaria,Li\uFFFDma,", text, StringComparison.Ordinal);
    }
}
