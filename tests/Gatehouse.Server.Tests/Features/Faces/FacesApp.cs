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

/// <summary>Photos made from the test photos the way a camera, an editor or an attacker would make them.</summary>
internal static class FacePhotos
{
    public static byte[] Jpeg(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    public static byte[] Png(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The photo redrawn scaled, rotated (degrees clockwise) and through <paramref name="paint"/>.</summary>
    public static SKBitmap Redraw(string photo, float scale = 1, int rotate = 0, SKPaint? paint = null)
    {
        using var source = SKBitmap.Decode(FaceAssets.Photo(photo));
        var w = (int)(source.Width * scale);
        var h = (int)(source.Height * scale);
        var swap = rotate is 90 or 270;
        var result = new SKBitmap(swap ? h : w, swap ? w : h);
        using var canvas = new SKCanvas(result);
        canvas.Clear(SKColors.White);
        canvas.Translate(result.Width / 2f, result.Height / 2f);
        canvas.RotateDegrees(rotate);
        canvas.Translate(-w / 2f, -h / 2f);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, SKRect.Create(w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        return result;
    }

    /// <summary>The photo in shades of grey, as a PNG.</summary>
    public static byte[] Greyscale(string photo)
    {
        float[] grey =
        [
            0.299f, 0.587f, 0.114f, 0, 0,
            0.299f, 0.587f, 0.114f, 0, 0,
            0.299f, 0.587f, 0.114f, 0, 0,
            0, 0, 0, 1, 0,
        ];
        using var paint = new SKPaint { ColorFilter = SKColorFilter.CreateColorMatrix(grey) };
        using var bitmap = Redraw(photo, paint: paint);
        return Png(bitmap);
    }

    /// <summary>
    /// A JPEG whose pixels are stored turned a quarter to the left, with an EXIF segment saying to turn them a
    /// quarter right (orientation 6) to view: what a phone held upright writes.
    /// </summary>
    public static byte[] SidewaysWithExif(string photo)
    {
        using var sideways = Redraw(photo, rotate: 270);
        var jpeg = Jpeg(sideways);
        // APP1: "Exif\0\0", a big-endian TIFF header, one IFD with one entry: Orientation (0x0112), SHORT, 1, value 6.
        byte[] tiff = [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>A valid PNG of a few dozen bytes whose header declares 50,000 × 50,000 pixels.</summary>
    public static byte[] DecompressionBomb()
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 50_000);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 50_000);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        byte[] idat = [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01];
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        var chunk = new byte[8 + data.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        typed.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(typed));
        return chunk;
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
