using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Demo;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Demo;

/// <summary>The demo with the face models and its photo in the data directory, as <c>demo.sh</c> lays them out.</summary>
public sealed class DemoFacesApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Demo", "true");
        builder.UseSetting("Gatehouse:Face:ModelDirectory", FaceAssets.ModelDirectory);
        var photos = Directory.CreateDirectory(Path.Combine(DataDirectory, DemoFaces.PhotoFolder));
        var photo = DemoFaces.Photos[0];
        File.WriteAllBytes(Path.Combine(photos.FullName, photo), FaceAssets.Photo(photo));
    }
}

public sealed class DemoFacesTests(DemoFacesApp app) : IClassFixture<DemoFacesApp>
{
    [Fact]
    public async Task Demo_WithModelsAndPhoto_EnrollsTheFirstUsersFaceWithItsThumbnail()
    {
        using var owner = await app.SystemAdminAsync();
        var olivia = Assert.Single(Items(await owner.GetJsonAsync("/api/v1/users?search=olivia")));

        var face = Assert.Single(Items(await owner.GetJsonAsync($"/api/v1/users/{olivia.Id()}/credentials")), c => c.Str("type") == "face");
        Assert.True(face.GetProperty("face").GetProperty("hasThumbnail").GetBoolean());
        var thumbnail = await owner.GetAsync($"/api/v1/face-credentials/{face.Id()}/thumbnail");
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Demo_WithModels_SendsTheSecondUserASelfieInvitationWhoseEmailIsInTheMailbox()
    {
        using var owner = await app.SystemAdminAsync();
        var james = Assert.Single(Items(await owner.GetJsonAsync("/api/v1/users?search=whitaker")));

        var invitation = Assert.Single(Items(await owner.GetJsonAsync($"/api/v1/users/{james.Id()}/credentials/faces/invitations")));
        Assert.Equal("sent", invitation.Str("status"));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var subjects = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.Channel == MessageChannel.Email).Select(m => m.Subject).ToListAsync();
        Assert.Contains(subjects, s => s != null && s.StartsWith("Enroll your face for ", StringComparison.Ordinal));
    }

    private static List<System.Text.Json.JsonElement> Items(System.Text.Json.JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];
}
