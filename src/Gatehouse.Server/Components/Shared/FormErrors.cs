using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Components.Shared;

/// <summary>
/// The errors of one form, keyed like the API's field paths (<c>name</c>, <c>windows[1].end</c>), so a
/// service's <see cref="ApiError.Invalid"/> can be shown beside the field it names. A failure that is
/// not about one field (a duplicate, a missing resource) is the <see cref="Message"/>.
/// </summary>
public sealed class FormErrors
{
    private static readonly string[] NoMessages = [];
    private readonly Dictionary<string, string[]> _fields;

    private FormErrors(Dictionary<string, string[]> fields, string? message)
    {
        _fields = fields;
        Message = message;
    }

    public static FormErrors None { get; } = new([], null);

    /// <summary>A problem of the whole form, shown above it.</summary>
    public string? Message { get; }

    public bool Any => Message is not null || _fields.Count > 0;

    public IReadOnlyDictionary<string, string[]> Fields => _fields;

    public static FormErrors Field(string field, string message) => new(new() { [field] = [message] }, null);

    public static FormErrors General(string message) => new([], message);

    internal static FormErrors From(ApiError error) => error switch
    {
        ApiError.Invalid invalid => new(invalid.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal), null),
        ApiError.Conflict conflict => General(conflict.Detail),
        ApiError.NotFound notFound => General($"{notFound.Resource} was not found. It may have been deleted in the meantime."),
        _ => General(error.ToProblemDetails().Detail ?? "The change could not be made."),
    };

    /// <summary>The same errors with their field names rewritten (rows the form numbers differently than the request).</summary>
    public FormErrors MapFields(Func<string, string> map)
    {
        var mapped = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in _fields)
        {
            var key = map(field);
            mapped[key] = mapped.TryGetValue(key, out var existing) ? [.. existing, .. messages] : messages;
        }

        return new(mapped, Message);
    }

    public bool Has(string field) => _fields.ContainsKey(field);

    /// <summary>
    /// The messages of a field; with <paramref name="withChildren"/> also those of the fields inside it
    /// (<c>windows[0].days</c> collects <c>windows[0].days[2]</c>).
    /// </summary>
    public IReadOnlyList<string> For(string field, bool withChildren = false)
    {
        if (!withChildren)
        {
            return _fields.TryGetValue(field, out var messages) ? messages : NoMessages;
        }

        return [.. _fields.Where(e => e.Key == field || IsInside(e.Key, field)).SelectMany(e => e.Value)];
    }

    /// <summary>The field errors not shown at any of the given fields (or inside them), for the summary.</summary>
    public IReadOnlyList<string> Outside(params string[] shownFields) =>
        [.. _fields.Where(e => !shownFields.Any(f => e.Key == f || IsInside(e.Key, f))).SelectMany(e => e.Value)];

    private static bool IsInside(string key, string field) =>
        key.Length > field.Length && key.StartsWith(field, StringComparison.Ordinal) && key[field.Length] is '[' or '.';
}
