using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// An expected failure of a server operation. Services return these as values; <see cref="ToProblem"/>
/// is the one place where they become RFC 9457 problem responses.
/// </summary>
internal abstract record ApiError
{
    /// <summary>The resource does not exist for this caller (also: it belongs to another organization).</summary>
    public sealed record NotFound(string Resource) : ApiError;

    /// <summary>The request would duplicate something that must be unique, or clashes with the current state.</summary>
    public sealed record Conflict(string Detail) : ApiError;

    /// <summary>Fields of the request are invalid; keys are the API's field paths (camelCase).</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ApiError
    {
        public static Invalid Field(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
    }

    /// <summary>The caller may see the resource but not do this to it.</summary>
    public sealed record Forbidden(string Detail) : ApiError;

    public ProblemHttpResult ToProblem() => this switch
    {
        NotFound e => TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Title = "Not found",
            Detail = $"{e.Resource} was not found.",
        }),
        Conflict e => TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Conflict",
            Detail = e.Detail,
        }),
        Invalid e => TypedResults.Problem(new HttpValidationProblemDetails(e.Errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid.",
        }),
        Forbidden e => TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Forbidden",
            Detail = e.Detail,
        }),
        _ => throw new InvalidOperationException($"Unmapped error {GetType().Name}."),
    };
}

/// <summary>The outcome of a service operation: a value or an <see cref="ApiError"/>.</summary>
internal readonly struct Result<T>
{
    private Result(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ApiError error) => new(default, error);

    /// <summary>200 with the value, or the error's problem.</summary>
    public Results<Ok<T>, ProblemHttpResult> ToOk() => Error is { } error ? error.ToProblem() : TypedResults.Ok(Value!);

    /// <summary>201 with the value at the location it names, or the error's problem.</summary>
    public Results<Created<T>, ProblemHttpResult> ToCreated(Func<T, string> location) =>
        Error is { } error ? error.ToProblem() : TypedResults.Created(location(Value!), Value!);
}
