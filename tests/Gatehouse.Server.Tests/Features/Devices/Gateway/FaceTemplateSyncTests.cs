using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Gatehouse.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>Face templates reach the devices of the user's doors sealed for each device, and only of the current model.</summary>
public sealed class FaceTemplateSyncTests(GatewayApp app) : IClassFixture<GatewayApp>
{
    [Fact]
    public async Task Snapshot_EnrolledFace_IsSealedForThisDeviceOnly_AndAnotherModelsIsNotSent()
    {
        var org = await app.NewOrganizationAsync();
        var owner = org.Owner;
        var site = await owner.PostCreatedIdAsync("/api/v1/sites", new { name = "HQ", timeZone = "Europe/London" });
        var door = await owner.PostCreatedIdAsync("/api/v1/doors", new { siteId = site, name = "Front" });
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        var schedule = await owner.PostCreatedIdAsync("/api/v1/schedules", new { name = "Always", windows = new[] { new { days, start = "00:00", end = "24:00" } }, holidays = Array.Empty<object>() });
        var group = await owner.PostCreatedIdAsync("/api/v1/access-groups", new { name = "Staff", scheduleId = schedule, doorIds = new[] { door } });
        var alice = await owner.PostCreatedIdAsync("/api/v1/users", new { firstName = "Alice", lastName = "A", status = "active", accessGroupIds = new[] { group } });
        var bob = await owner.PostCreatedIdAsync("/api/v1/users", new { firstName = "Bob", lastName = "B", status = "active", accessGroupIds = new[] { group } });
        var aliceFace = await EnrollAsync(owner, alice, "franck_01829.jpg");
        var bobFace = await EnrollAsync(owner, bob, "cage.jpg");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            await db.Credentials.OfType<FaceCredential>().Where(f => f.Id == bobFace).ExecuteUpdateAsync(s => s.SetProperty(f => f.Model, "retired_model@0000"));
        }

        await using var device = await TestDevice.CreateAsync(app, org.Id, [door.ToString()]);
        var parts = await device.ConnectAndSyncAsync();

        var faces = parts.SelectMany(p => p.Data.Credentials ?? []).Where(c => c.Type == "face").ToList();
        var face = Assert.Single(faces);
        Assert.Equal(aliceFace, face.Id);
        var model = app.Services.GetRequiredService<FaceEngineHost>().Model!;
        Assert.Equal(model, face.Face?.Model);
        var vector = FaceTemplateSeal.Open(FaceTemplateSeal.DeriveKeyFromPassword(device.Password, device.Id), face.Id, model, face.Face?.Template);
        Assert.NotNull(vector);
        Assert.Equal(512, vector.Length);
        Assert.Null(FaceTemplateSeal.Open(FaceTemplateSeal.DeriveKeyFromPassword("another device's password", device.Id), face.Id, model, face.Face?.Template));
    }

    private static async Task<Guid> EnrollAsync(HttpClient owner, Guid user, string photo)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(FaceAssets.Photo(photo));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "photo", "photo.jpg");
        form.Add(new StringContent("true"), "consent");
        var response = await owner.PostAsync($"/api/v1/users/{user}/credentials/faces", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content)).GetProperty("id").GetGuid();
    }
}
