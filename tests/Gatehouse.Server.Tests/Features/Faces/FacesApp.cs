using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Features.Devices.Gateway;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Gatehouse.Server.Tests.Features.Faces;

/// <summary>The server for the face tests, on the real engine and models; its log lines are kept.</summary>
public class FacesApp : GatehouseApp
{
    public LogSink Logs { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Face:Invitations:PublicRequestsPerMinute", "100000");
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
    }
}

/// <summary>A link a user received in a selfie invitation, read from the captured message.</summary>
public sealed record ReceivedInvitation(string Link, string Token, string Text, string? Subject);

internal static partial class FaceTesting
{
    /// <summary>A photo upload: <c>photo</c> and (unless told otherwise) <c>consent=true</c>.</summary>
    public static MultipartFormDataContent PhotoForm(byte[]? photo, bool consent = true, string type = "image/jpeg", int? noticeVersion = null)
    {
        var form = new MultipartFormDataContent();
        if (photo is not null)
        {
            var file = new ByteArrayContent(photo);
            file.Headers.ContentType = new MediaTypeHeaderValue(type);
            form.Add(file, "photo", type == "image/png" ? "photo.png" : "photo.jpg");
        }

        if (consent)
        {
            form.Add(new StringContent("true"), "consent");
        }

        if (noticeVersion is { } version)
        {
            form.Add(new StringContent(version.ToString(System.Globalization.CultureInfo.InvariantCulture)), "noticeVersion");
        }

        return form;
    }

    public static Task<HttpResponseMessage> EnrollAsync(this HttpClient client, string userId, byte[]? photo, bool consent = true, string type = "image/jpeg") =>
        client.PostAsync($"/api/v1/users/{userId}/credentials/faces", PhotoForm(photo, consent, type));

    /// <summary>Enrolls <paramref name="photo"/> (a test photo's name) and expects 201.</summary>
    public static async Task<JsonElement> EnrolledAsync(this HttpClient client, string userId, string photo = "obama4_crop.jpg") =>
        await (await client.EnrollAsync(userId, FaceAssets.Photo(photo))).JsonAsync(System.Net.HttpStatusCode.Created);

    public static Task<HttpResponseMessage> SelfieAsync(this HttpClient client, string token, byte[]? photo, bool consent = true, int? noticeVersion = null) =>
        client.PostAsync($"/api/v1/public/face-invitations/{token}/photo", PhotoForm(photo, consent, noticeVersion: noticeVersion));

    /// <summary>A user with an email and a phone.</summary>
    public static Task<JsonElement> NewReachableUserAsync(this HttpClient client, string firstName = "Noor") =>
        client.CreateAsync("/api/v1/users", new { firstName, lastName = "Haddad", email = "noor@example.com", phone = "+447700900123", accessGroupIds = Array.Empty<string>() });

    /// <summary>The newest captured selfie invitation to the user on the channel.</summary>
    public static async Task<ReceivedInvitation> InvitationReceivedAsync(this GatehouseApp app, string userId, string channel = "email")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<OutboxContentProtector>();
        var id = Guid.Parse(userId);
        var messages = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == id && m.Kind == FaceInvitationMessages.Kind).ToListAsync();
        var message = messages.Where(m => m.Channel == (channel == "sms" ? MessageChannel.Sms : MessageChannel.Email))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).First();
        var text = protector.Unprotect(message.ProtectedContent!).Text;
        var link = LinkPattern().Match(text);
        Assert.True(link.Success, $"No selfie link in the message:\n{text}");
        return new ReceivedInvitation(link.Value, link.Groups[1].Value, text, message.Subject);
    }

    /// <summary>Runs <paramref name="work"/> on the server's store, outside any organization's filter.</summary>
    public static async Task<T> InStoreAsync<T>(this GatehouseApp app, Func<GatehouseDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDbContext>());
    }

    [GeneratedRegex(@"https?://\S+/s/([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();
}
