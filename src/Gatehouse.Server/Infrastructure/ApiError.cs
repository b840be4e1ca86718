using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// An expected failure of a server operation. Services return these as values; <see cref="ToProblemDetails"/>
/// is the one place where they become RFC 9457 problem responses. The set is closed: the constructor is
/// private, so every case is one of the sealed records nested here, and a test maps each of them.
/// </summary>
internal abstract record ApiError
{
    private ApiError()
    {
    }

    /// <summary>The resource does not exist for this caller (also: it belongs to another organization). 404.</summary>
    public sealed record NotFound(string Resource) : ApiError;

    /// <summary>The request would duplicate something that must be unique, or clashes with the current state. 409.</summary>
    public sealed record Conflict(string Detail) : ApiError;

    /// <summary>Fields of the request are invalid; keys are the API's field paths (camelCase). 400.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ApiError
    {
        public static Invalid Field(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
    }

    /// <summary>
    /// A sign-in whose email and password are right for several organizations: 400 naming
    /// <c>organizationId</c>, with the organizations to choose from.
    /// </summary>
    public sealed record ChooseOrganization(IReadOnlyList<OrganizationOption> Organizations) : ApiError;

    /// <summary>The caller may see the resource but not do this to it. 403.</summary>
    public sealed record Forbidden(string Detail) : ApiError;

    /// <summary>The caller did not prove who it is (no or a wrong token, password or claim code). 401.</summary>
    public sealed record Unauthorized(string Detail, string Title = "Unauthorized") : ApiError;

    /// <summary>
    /// A holder of a credential (no account) is refused, with a machine-readable <paramref name="Reason"/>
    /// and, for a wrong PIN, the attempts left. 403 <c>{reason}</c>.
    /// </summary>
    public sealed record Refused(string Reason, string Detail, int? AttemptsLeft = null) : ApiError;

    /// <summary>Locked after too many wrong attempts, until an administrator unlocks it. 423 <c>{reason}</c>.</summary>
    public sealed record Locked(string Reason, string Detail) : ApiError;

    /// <summary>The door's device could not be reached or refused the unlock. 409 <c>{reason: "deviceUnavailable"}</c>.</summary>
    public sealed record DeviceUnavailable(string Detail) : ApiError;

    /// <summary>The door's device did not confirm the unlock in time, so it may not have opened. 504 <c>{reason: "doorDidNotAnswer"}</c>.</summary>
    public sealed record DoorDidNotAnswer(string Detail) : ApiError;

    /// <summary>Too many requests from this client; it may try again after <paramref name="RetryAfterSeconds"/>. 429.</summary>
    public sealed record RateLimited(int RetryAfterSeconds) : ApiError;

    /// <summary>The request body (an uploaded photo) is larger than allowed. 413.</summary>
    public sealed record TooLarge(string Detail) : ApiError;

    /// <summary>A link that worked once and works no more (completed, expired, revoked). 410 <c>{reason}</c>.</summary>
    public sealed record Gone(string Reason, string Detail) : ApiError;

    /// <summary>A link's bounded number of tries is used up (not a time window: waiting does not help). 429 <c>{reason}</c>.</summary>
    public sealed record TriesExhausted(string Reason, string Detail) : ApiError;

    /// <summary>
    /// Face features are off on this server (no models, or they did not load); everything else works.
    /// 503 <c>{reason: "faceUnavailable"}</c> with the reason in <c>detail</c>.
    /// </summary>
    public sealed record FaceUnavailable(string Detail) : ApiError;

    /// <summary>
    /// A photo the face analysis could not enroll: 422 with <c>reason</c> (noFace, multipleFaces, faceTooSmall,
    /// notFrontal, blurry, poorExposure, eyesClosed, notLive, unreadableImage, imageTooLarge), a <c>detail</c> a
    /// person can act on, <c>errors.photo</c>, and the <c>quality</c> metrics measured.
    /// </summary>
    public sealed record PhotoRejected(Gatehouse.Faces.FaceRejection Reason, string Detail, Gatehouse.Faces.FaceQuality Quality) : ApiError;

    /// <summary>The problem document of this error: the one mapping of errors to HTTP.</summary>
    public ProblemDetails ToProblemDetails() => this switch
    {
        NotFound e => Problem(StatusCodes.Status404NotFound, "Not found", $"{e.Resource} was not found."),
        Conflict e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Detail),
        Invalid e => new HttpValidationProblemDetails(e.Errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid.",
        },
        ChooseOrganization e => new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["organizationId"] = ["This email and password sign in to several organizations: say which one."],
        })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid.",
            Extensions = { ["organizations"] = e.Organizations.Select(o => new { id = o.Id, name = o.Name }).ToList() },
        },
        Forbidden e => Problem(StatusCodes.Status403Forbidden, "Forbidden", e.Detail),
        Unauthorized e => Problem(StatusCodes.Status401Unauthorized, e.Title, e.Detail),
        Refused e => WithReason(Problem(StatusCodes.Status403Forbidden, "Not allowed", e.Detail), e.Reason, e.AttemptsLeft),
        Locked e => WithReason(Problem(StatusCodes.Status423Locked, "Locked", e.Detail), e.Reason),
        DeviceUnavailable e => WithReason(Problem(StatusCodes.Status409Conflict, "The door could not be unlocked", e.Detail), "deviceUnavailable"),
        DoorDidNotAnswer e => WithReason(Problem(StatusCodes.Status504GatewayTimeout, "The door did not answer", e.Detail), "doorDidNotAnswer"),
        TooLarge e => Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", e.Detail),
        Gone e => WithReason(Problem(StatusCodes.Status410Gone, "Gone", e.Detail), e.Reason),
        TriesExhausted e => WithReason(Problem(StatusCodes.Status429TooManyRequests, "Too Many Requests", e.Detail), e.Reason),
        FaceUnavailable e => WithReason(Problem(StatusCodes.Status503ServiceUnavailable, "Face features are off", e.Detail), "faceUnavailable"),
        PhotoRejected e => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["photo"] = [e.Detail] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = Gatehouse.Server.Features.Faces.FaceText.Failed,
            Detail = e.Detail,
            Extensions =
            {
                ["reason"] = Gatehouse.Faces.FacePrompts.Name(e.Reason),
                ["quality"] = e.Quality,
            },
        },
        RateLimited e => Problem(
            StatusCodes.Status429TooManyRequests,
            "Too Many Requests",
            string.Create(CultureInfo.InvariantCulture, $"Too many requests from this client. Try again in {e.RetryAfterSeconds} seconds.")),

        // Unreachable while every case above is mapped (a test checks each one); a bug answers 500, it does not throw.
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal server error", null),
    };

    /// <summary>The error as an endpoint's result.</summary>
    public ProblemHttpResult ToProblem() => TypedResults.Problem(ToProblemDetails());

    private static ProblemDetails Problem(int status, string title, string? detail) => new() { Status = status, Title = title, Detail = detail };

    private static ProblemDetails WithReason(ProblemDetails problem, string reason, int? attemptsLeft = null)
    {
        problem.Extensions["reason"] = reason;
        if (attemptsLeft is { } left)
        {
            problem.Extensions["attemptsLeft"] = left;
        }

        return problem;
    }
}

/// <summary>An organization a caller may choose (see <see cref="ApiError.ChooseOrganization"/>).</summary>
internal sealed record OrganizationOption(Guid Id, string Name);

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
