using Gatehouse.Core.Cards;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Collects field errors of one request, keyed by the API's field path, so every bad field is named
/// at once. Shared by the API and the admin console.
/// </summary>
internal sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <summary>The most unknown IDs one answer names one by one; the rest are counted.</summary>
    public const int MaxListedIds = 20;

    /// <summary>
    /// A required, trimmed, single-line text of at most <paramref name="maxLength"/> characters, without
    /// control or invisible formatting characters (see <see cref="PlainText"/>).
    /// </summary>
    public Validation Text(string field, string? value, int maxLength, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "This field is required.");
            }
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"Must be at most {maxLength} characters.");
        }
        else if (!PlainText.IsClean(value))
        {
            Add(field, PlainText.Refusal);
        }

        return this;
    }

    /// <summary>
    /// A required secret (a password) of at most <paramref name="maxLength"/> characters. Its characters are
    /// its owner's business: it is never shown or logged, so nothing but its length is checked.
    /// </summary>
    public Validation Secret(string field, string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "This field is required.");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"Must be at most {maxLength} characters.");
        }

        return this;
    }

    /// <summary>
    /// A list of at most <paramref name="max"/> items; a longer one is refused as a whole, so the caller
    /// checks its items only when this answers true.
    /// </summary>
    public bool Within(string field, int? count, int max)
    {
        if (count > max)
        {
            Add(field, $"At most {max} items; this list has {count}.");
            return false;
        }

        return true;
    }

    /// <summary><paramref name="from"/> must come before <paramref name="until"/> when both are set.</summary>
    public Validation Period(string untilField, DateTimeOffset? from, DateTimeOffset? until)
    {
        if (from is { } f && until is { } u && u <= f)
        {
            Add(untilField, "Must be after validFrom.");
        }

        return this;
    }

    /// <summary>
    /// Names each of <paramref name="ids"/> that is not in <paramref name="known"/>, by its index: <c>doorIds[2]</c>;
    /// past <see cref="MaxListedIds"/> of them the rest are counted on <paramref name="field"/>, so the answer stays small.
    /// </summary>
    public Validation KnownIds(string field, IReadOnlyList<Guid> ids, IReadOnlyCollection<Guid> known, string message)
    {
        var unknown = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            if (!known.Contains(ids[i]) && ++unknown <= MaxListedIds)
            {
                Add($"{field}[{i}]", message);
            }
        }

        if (unknown > MaxListedIds)
        {
            Add(field, $"{unknown - MaxListedIds} more were not found.");
        }

        return this;
    }

    /// <summary>The core's card errors, each under its field, inside <paramref name="prefix"/> when given (<c>card.csn</c>).</summary>
    public Validation Add(IEnumerable<CardFieldError> errors, string? prefix = null)
    {
        foreach (var error in errors)
        {
            Add(prefix is null ? error.Field : $"{prefix}.{error.Field}", error.Message);
        }

        return this;
    }

    public ApiError.Invalid ToError() => new(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
