using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// A PATCH field: absent (leave as is), or present with a value that may be null (clear it).
/// System.Text.Json calls the converter only for properties present in the body, so the default is "absent".
/// </summary>
[JsonConverter(typeof(OptionalConverterFactory))]
internal readonly struct Optional<T>
{
    public Optional(T value)
    {
        HasValue = true;
        Value = value;
    }

    public bool HasValue { get; }

    public T Value { get; }

    /// <summary>The given value when present, else <paramref name="current"/>.</summary>
    public T Or(T current) => HasValue ? Value : current;

    public static implicit operator Optional<T>(T value) => new(value);
}

internal sealed class OptionalConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonSerializer.Deserialize<T>(ref reader, options)!);

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, options);
    }
}
