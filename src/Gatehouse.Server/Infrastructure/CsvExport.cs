using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Writes a CSV file that people open in spreadsheets (RFC 4180: CRLF line ends, quotes where needed, UTF-8
/// with a byte order mark so names are not read in the local code page). Values are typed by administrators,
/// so a cell that a spreadsheet would run as a formula (<c>= + - @</c>, tab, CR) is defused with a leading
/// quote, and control characters other than tab, CR and LF become U+FFFD: rows stored before names were
/// checked may hold them, and a NUL or an escape sequence never reaches the file.
/// </summary>
internal sealed class CsvExport : IAsyncDisposable
{
    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        InjectionOptions = InjectionOptions.Escape,

        // A lone LF quoted too: the library's default looks only for the configured CRLF.
        ShouldQuote = args => args.Field is { } field && field.AsSpan().IndexOfAny(",\"\r\n") >= 0,
    };

    private readonly CsvWriter csv;

    private CsvExport(TextWriter text) => csv = new CsvWriter(text, Configuration);

    /// <summary>A file written to <paramref name="body"/>, which stays open.</summary>
    public static CsvExport To(Stream body) =>
        new(new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024, leaveOpen: true));

    /// <summary>One record; a null cell is empty.</summary>
    public async Task WriteRowAsync(IReadOnlyList<string?> cells)
    {
        foreach (var cell in cells)
        {
            csv.WriteField(Printable(cell));
        }

        await csv.NextRecordAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await csv.FlushAsync();
        await csv.DisposeAsync();
    }

    private static string Printable(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (!value.AsSpan().ContainsAnyInRange('\0', '\u001F') && !value.AsSpan().ContainsAnyInRange('\u007F', '\u009F'))
        {
            return value;
        }

        return string.Create(value.Length, value, static (chars, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = char.IsControl(text[i]) && text[i] is not ('\r' or '\n' or '\t') ? '\uFFFD' : text[i];
            }
        });
    }
}
