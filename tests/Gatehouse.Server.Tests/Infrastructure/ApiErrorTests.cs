using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Tests.Infrastructure;

public sealed class ApiErrorTests
{
    /// <summary>One of each case, with the status an API client gets for it. A new case needs a row here.</summary>
    private static readonly (ApiError Error, int Status)[] Cases =
    [
        (new ApiError.NotFound("The site"), StatusCodes.Status404NotFound),
        (new ApiError.Conflict("A site named \"HQ\" already exists."), StatusCodes.Status409Conflict),
        (ApiError.Invalid.Field("name", "This field is required."), StatusCodes.Status400BadRequest),
        (new ApiError.ChooseOrganization([new OrganizationOption(Guid.NewGuid(), "Acme")]), StatusCodes.Status400BadRequest),
        (new ApiError.Forbidden("Your role does not allow this."), StatusCodes.Status403Forbidden),
        (new ApiError.Unauthorized("Sign in again."), StatusCodes.Status401Unauthorized),
        (new ApiError.Refused("wrongPin", "Wrong PIN. 4 attempts left.", 4), StatusCodes.Status403Forbidden),
        (new ApiError.Locked("locked", "This Cloud Key is locked."), StatusCodes.Status423Locked),
        (new ApiError.DeviceUnavailable("The device could not be reached."), StatusCodes.Status409Conflict),
        (new ApiError.DoorDidNotAnswer("The door did not answer."), StatusCodes.Status504GatewayTimeout),
        (new ApiError.RateLimited(60), StatusCodes.Status429TooManyRequests),
        (new ApiError.TooLarge("The photo may be at most 10 MB."), StatusCodes.Status413PayloadTooLarge),
        (new ApiError.Gone("expired", "This link has expired."), StatusCodes.Status410Gone),
        (new ApiError.TriesExhausted("tooManyUploads", "This link has taken its 10 photos."), StatusCodes.Status429TooManyRequests),
        (new ApiError.FaceUnavailable("No face models in ./data/face-models."), StatusCodes.Status503ServiceUnavailable),
        (new ApiError.PhotoRejected(Gatehouse.Faces.FaceRejection.NoFace, "No face was found.", new Gatehouse.Faces.FaceQuality()), StatusCodes.Status422UnprocessableEntity),
    ];

    [Fact]
    public void Cases_AreTheSealedRecordsNestedInApiError_AndEachIsListedHere()
    {
        var declared = typeof(ApiError).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ApiError))).ToList();

        Assert.All(declared, t =>
        {
            Assert.True(t.IsSealed, $"{t.Name} is not sealed.");
            Assert.True(t.DeclaringType == typeof(ApiError), $"{t.FullName} is not nested in ApiError: the set of errors is closed.");
        });
        Assert.Equal(
            declared.Select(t => t.Name).Order(StringComparer.Ordinal),
            Cases.Select(c => c.Error.GetType().Name).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToProblemDetails_EveryCase_IsMappedToItsStatusWithATitle()
    {
        Assert.All(Cases, c =>
        {
            var problem = c.Error.ToProblemDetails();

            Assert.True(c.Status == problem.Status, $"{c.Error.GetType().Name} answers {problem.Status}, not {c.Status}.");
            Assert.False(string.IsNullOrEmpty(problem.Title), $"{c.Error.GetType().Name} has no title.");
            Assert.Equal(problem.Status, c.Error.ToProblem().StatusCode);
        });
    }

    [Fact]
    public void ToProblemDetails_Refused_CarriesTheReasonAndAttemptsLeft()
    {
        var problem = new ApiError.Refused("wrongPin", "Wrong PIN. 4 attempts left.", 4).ToProblemDetails();

        Assert.Equal("wrongPin", problem.Extensions["reason"]);
        Assert.Equal(4, problem.Extensions["attemptsLeft"]);
        Assert.Equal("Wrong PIN. 4 attempts left.", problem.Detail);
    }

    [Fact]
    public void ToProblemDetails_ChooseOrganization_NamesTheFieldAndListsTheOrganizations()
    {
        var id = Guid.NewGuid();

        var problem = Assert.IsType<HttpValidationProblemDetails>(
            new ApiError.ChooseOrganization([new OrganizationOption(id, "Acme")]).ToProblemDetails());

        Assert.True(problem.Errors.ContainsKey("organizationId"));
        Assert.NotNull(problem.Extensions["organizations"]);
    }
}
