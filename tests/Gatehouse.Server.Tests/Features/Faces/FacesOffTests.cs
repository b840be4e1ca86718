using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Server.Tests.Features.Faces;

/// <summary>A server whose model folder is empty: face features are off and say why; everything else works.</summary>
public sealed class FacesOffApp : GatehouseApp
{
    private readonly string _emptyModels = Directory.CreateTempSubdirectory("gatehouse-no-models-").FullName;

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("Gatehouse:Face:ModelDirectory", _emptyModels);
}

public sealed class FacesOffTests(FacesOffApp app) : IClassFixture<FacesOffApp>
{
    [Fact]
    public async Task Ready_IsStillReady_WithAFaceDetailSayingFeaturesAreOffAndWhy()
    {
        using var anonymous = app.Anonymous();

        var health = await (await anonymous.GetAsync("/health/ready")).JsonAsync();

        Assert.Equal("healthy", health.Str("status"));
        var face = health.GetProperty("checks").GetProperty("face");
        Assert.Equal("healthy", face.Str("status"));
        Assert.StartsWith("Face features are off: ", face.Str("description"), StringComparison.Ordinal);
        Assert.Contains("face-models", face.Str("description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FaceCalls_Are503WithTheReason_WhileCardsAndUsersStillWork()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewReachableUserAsync();

        var enroll = await org.Owner.EnrollAsync(user.Id(), FaceAssets.Photo("obama4_crop.jpg"));
        var invite = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, expiresAt = app.Clock.GetUtcNow().AddDays(1) });
        var card = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/cards", new { format = "H10301", facilityCode = 1, cardNumber = 4242 });

        foreach (var refused in new[] { enroll, invite })
        {
            var problem = await refused.JsonAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("faceUnavailable", problem.Str("reason"));
            Assert.Contains("face-models", problem.Str("detail"), StringComparison.Ordinal);
        }

        await card.JsonAsync(HttpStatusCode.Created);
        await org.Owner.GetJsonAsync("/api/v1/organization/face-settings");
    }
}

public sealed class FaceHealthTests(FacesApp app) : IClassFixture<FacesApp>
{
    [Fact]
    public async Task Ready_WithModels_SaysFaceFeaturesAreOnWithTheModel()
    {
        using var anonymous = app.Anonymous();

        var health = await (await anonymous.GetAsync("/health/ready")).JsonAsync();

        Assert.StartsWith("Face features are on (model ", health.GetProperty("checks").GetProperty("face").Str("description"), StringComparison.Ordinal);
    }
}
