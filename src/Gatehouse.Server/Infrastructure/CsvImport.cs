using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Gatehouse.Server.Infrastructure;

/// <summary>One record of an uploaded CSV file: the line it starts on, its cells, and whether its quotes were broken.</summary>
/// <param name="Line">The file's line (1-based) where the record starts; a quoted line break makes a record span more.</param>
/// <param name="Malformed">
/// A quote where RFC 4180 allows none (inside an unquoted cell, or one never closed): the cells are what the
/// reader made of it and should not be trusted. An unclosed quote swallows the rest of the file into this record.
/// </param>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Cells, bool Malformed);

/// <summary>
/// Reads an uploaded CSV file (RFC 4180, as spreadsheets write it): comma-separated, CRLF or LF line ends,
/// quoted cells holding commas, doubled quotes and line breaks, an optional UTF-8 byte order mark. Blank lines
/// are kept as empty records so every record knows its line.
/// </summary>
internal static class CsvImport
{
    public static List<CsvRecord> Read(string text)
    {
        var records = new List<CsvRecord>();
        var malformed = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            IgnoreBlankLines = false,
            DetectColumnCountChanges = false,
            BadDataFound = _ => malformed = true,
        };

        using var parser = new CsvParser(new StringReader(text.StartsWith('\uFEFF') ? text[1..] : text), configuration);
        var lastLine = 0;
        while (parser.Read())
        {
            records.Add(new CsvRecord(lastLine + 1, parser.Record ?? [], malformed));
            lastLine = parser.RawRow;
            malformed = false;
        }

        return records;
    }
}
