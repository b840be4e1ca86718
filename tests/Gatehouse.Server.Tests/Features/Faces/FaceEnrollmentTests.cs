using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Faces;

/// <summary><c>POST /users/{id}/credentials/faces</c> on the real engine: consent, the bad photos, encryption, deletion, duplicates.</summary>
public sealed class FaceEnrollmentTests(FacesApp app) : IClassFixture<FacesApp>
{
    [Fact]
    public async Task Enroll_FrontalPhotoWithConsent_Is201FaceWithQualityAndConsentWithTheNoticeText()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.EnrollAsync(user.Id(), FaceAssets.Photo("obama4_crop.jpg"));

        var face = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/credentials/{face.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal(("face", "active"), (face.Str("type"), face.Str("status")));
        var details = face.GetProperty("face");
        Assert.False(string.IsNullOrEmpty(details.Str("model")));
        Assert.Equal(1, details.GetProperty("quality").GetProperty("facesFound").GetInt32());
        Assert.False(details.GetProperty("reenrollNeeded").GetBoolean());
        Assert.True(details.GetProperty("hasThumbnail").GetBoolean());
        Assert.Equal(JsonValueKind.Null, details.GetProperty("resembles").ValueKind);

        // Who (the owner), when, from where, and the exact text shown: the default notice, stored as version 1.
        var consent = details.GetProperty("consent");
        Assert.False(consent.IsNull("adminId"));
        Assert.Equal(1, consent.GetProperty("noticeVersion").GetInt32());
        Assert.Equal(app.Clock.GetUtcNow(), consent.GetProperty("at").GetDateTimeOffset());
        var notices = await org.Owner.GetJsonAsync("/api/v1/organization/face-settings/notices");
        var notice = Assert.Single(notices.EnumerateArray());
        Assert.Equal(consent.Str("noticeId"), notice.Id());
        Assert.Contains("face template", notice.Str("text"), StringComparison.Ordinal);

        // The credential list shows it like any other.
        var listed = await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials");
        Assert.Equal("face", Assert.Single(listed.GetProperty("items").EnumerateArray()).Str("type"));
    }

    [Fact]
    public async Task Enroll_AfterTheNoticeIsEdited_RecordsTheNewVersionWhoseTextIsTheEditedOne()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        const string Text = "We keep an encrypted template of your face to open our doors. Ask us to delete it at any time.";

        var settings = await (await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = Text })).JsonAsync();
        var face = (await org.Owner.EnrolledAsync(user.Id())).GetProperty("face");

        Assert.Equal((Text, 1, false), (settings.GetProperty("notice").Str("text"), settings.GetProperty("notice").GetProperty("version").GetInt32(), settings.GetProperty("notice").GetProperty("isDefault").GetBoolean()));
        Assert.Equal(settings.GetProperty("notice").Id(), face.GetProperty("consent").Str("noticeId"));

        // Editing again adds a version; the face still points at the text that was shown.
        await (await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = Text + " Thank you." })).JsonAsync();
        var notices = (await org.Owner.GetJsonAsync("/api/v1/organization/face-settings/notices")).EnumerateArray().ToList();
        Assert.Equal([2, 1], notices.Select(n => n.GetProperty("version").GetInt32()));
        Assert.Equal(Text, notices.Single(n => n.Id() == face.GetProperty("consent").Str("noticeId")).Str("text"));
    }

    [Fact]
    public async Task Enroll_NoticeChangedSinceShown_Is409AndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await (await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = "Version one." })).JsonAsync();
        await (await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = "Version two." })).JsonAsync();

        var response = await org.Owner.PostAsync($"/api/v1/users/{user.Id()}/credentials/faces",
            FaceTesting.PhotoForm(FaceAssets.Photo("obama4_crop.jpg"), noticeVersion: 1));

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Enroll_WithoutConsent_Is400NamingConsentAndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.EnrollAsync(user.Id(), FaceAssets.Photo("obama4_crop.jpg"), consent: false);

        Assert.Contains("consent", Assert.Single(await response.AssertFieldErrorAsync("consent")), StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Enroll_NoPhoto_Is400NamingPhoto()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.EnrollAsync(user.Id(), photo: null);

        await response.AssertFieldErrorAsync("photo");
    }

    public static TheoryData<string, string> BadPhotos => new()
    {
        { "notAnImage", "unreadableImage" },
        { "truncatedJpeg", "unreadableImage" },
        { "decompressionBomb", "imageTooLarge" },
        { "tiny64px", "faceTooSmall" },
        { "noFace", "noFace" },
        { "threeFaces", "multipleFaces" },
        { "drawing", "notLive" },
        { "painting", "noFace" },
        { "mask", "eyesClosed" },
        { "skullMask", "notFrontal" },
    };

    [Theory]
    [MemberData(nameof(BadPhotos))]
    public async Task Enroll_BadPhoto_Is422WithTheReasonAndDetailAndStoresNothing(string kind, string reason)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.EnrollAsync(user.Id(), BadPhoto(kind), type: kind == "decompressionBomb" ? "image/png" : "image/jpeg");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{kind}: {(int)response.StatusCode} {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(reason, problem.RootElement.Str("reason"));
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.Str("detail")));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("photo", out _));
        Assert.Equal(JsonValueKind.Object, problem.RootElement.GetProperty("quality").ValueKind);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    private static byte[] BadPhoto(string kind)
    {
        switch (kind)
        {
            case "notAnImage":
                return "%PDF-1.7 this is a document, not a photo"u8.ToArray();
            case "truncatedJpeg":
                var jpeg = FaceAssets.Photo("obama4_crop.jpg");
                return jpeg[..(jpeg.Length / 3)];
            case "decompressionBomb":
                return FaceTestImages.DecompressionBomb();
            case "tiny64px":
                using (var tiny = FaceTestImages.Redraw("obama4_crop.jpg", scale: 64f / 280))
                {
                    return FaceTestImages.Png(tiny);
                }

            case "noFace":
                return FaceAssets.Photo("ironman.jpg");
            case "threeFaces":
                return FaceAssets.Photo("sample1.jpg");
            case "drawing":
                return FaceAssets.Photo("picasso_drawing_crop.jpg");
            case "painting":
                return FaceAssets.Photo("scream_crop.jpg");
            case "mask":
                return FaceAssets.Photo("vendetta.jpg");
            case "skullMask":
                return FaceAssets.Photo("skullmask.jpg");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    [Fact]
    public async Task Enroll_ExifRotatedPhoto_EnrollsUprightAsTheSamePerson()
    {
        var org = await app.NewOrganizationAsync();
        var first = await org.Owner.NewUserAsync("First");
        var second = await org.Owner.NewUserAsync("Second");
        await org.Owner.EnrolledAsync(first.Id(), "obama4_crop.jpg");

        var response = await org.Owner.EnrollAsync(second.Id(), FaceTestImages.SidewaysWithExif("obama4_crop.jpg"));

        var face = (await response.JsonAsync(HttpStatusCode.Created)).GetProperty("face");
        // Read upright, it is the same face as the upright photo: flagged as resembling the first user.
        Assert.Equal(first.Id(), face.GetProperty("resembles").Str("userId"));
    }

    [Fact]
    public async Task Enroll_GreyscalePhoto_Enrolls()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.EnrollAsync(user.Id(), FaceTestImages.Greyscale("cage.jpg"), type: "image/png");

        await response.JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Enroll_30MegabyteUpload_Is413()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var huge = new byte[30 * 1024 * 1024];
        huge[0] = 0xFF;
        huge[1] = 0xD8;
        huge[2] = 0xFF;

        var response = await org.Owner.EnrollAsync(user.Id(), huge);

        await response.AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Enroll_PhotoJustOverTheLimitInASmallRequest_Is413NamingTheLimit()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var over = new byte[(10 * 1024 * 1024) + 1];

        var response = await org.Owner.EnrollAsync(user.Id(), over);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("10 MB", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_UserOfAnotherOrganization_Is404()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var theirs = await other.Owner.NewUserAsync();

        var response = await org.Owner.EnrollAsync(theirs.Id(), FaceAssets.Photo("obama4_crop.jpg"));

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await other.Owner.TotalAsync($"/api/v1/users/{theirs.Id()}/credentials"));
    }

    [Fact]
    public async Task Enroll_Viewer_Is403()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        using var viewer = await org.MemberAsync("viewer");

        var response = await viewer.EnrollAsync(user.Id(), FaceAssets.Photo("obama4_crop.jpg"));

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Template_InTheStore_IsEncryptedNotTheVectorsBytes_AndDecryptsToAUnitVector()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var face = await org.Owner.EnrolledAsync(user.Id());
        var id = Guid.Parse(face.Id());

        var raw = await app.InStoreAsync(db => db.Database
            .SqlQuery<byte[]>($"SELECT \"FaceTemplate\" AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {id}").SingleAsync());
        var thumbnail = await app.InStoreAsync(db => db.Database
            .SqlQuery<byte[]>($"SELECT \"FaceThumbnail\" AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {id}").SingleAsync());

        var protector = app.Services.GetRequiredService<FaceProtector>();
        var template = protector.UnprotectTemplate("m", raw);
        Assert.Equal(512, template.Vector.Length);
        Assert.InRange(template.Vector.Sum(v => v * v), 0.98f, 1.02f);
        var vectorBytes = MemoryMarshal.AsBytes(template.Vector.AsSpan()).ToArray();
        Assert.False(raw.AsSpan().IndexOf(vectorBytes.AsSpan(0, 16)) >= 0, "The stored template holds the vector's bytes in the clear.");

        // The thumbnail is no JPEG at rest either.
        Assert.False(thumbnail.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]));
        Assert.True(protector.UnprotectThumbnail(thumbnail).AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]));
    }

    [Fact]
    public async Task Thumbnail_IsTheDecryptedJpegNeverCached_And404ForAnotherOrganization()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var face = await org.Owner.EnrolledAsync(user.Id());

        var response = await org.Owner.GetAsync($"/api/v1/face-credentials/{face.Id()}/thumbnail");
        var theirs = await other.Owner.GetAsync($"/api/v1/face-credentials/{face.Id()}/thumbnail");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        using var bitmap = SkiaSharp.SKBitmap.Decode(jpeg);
        Assert.Equal((160, 160), (bitmap.Width, bitmap.Height));
        await theirs.AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task KeepThumbnailsOff_EnrollsWithoutAThumbnail()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        Assert.True((await org.Owner.GetJsonAsync("/api/v1/organization/face-settings")).GetProperty("keepThumbnails").GetBoolean());

        var settings = await (await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { keepThumbnails = false })).JsonAsync();
        var face = await org.Owner.EnrolledAsync(user.Id());

        Assert.False(settings.GetProperty("keepThumbnails").GetBoolean());
        Assert.False(face.GetProperty("face").GetProperty("hasThumbnail").GetBoolean());
        await (await org.Owner.GetAsync($"/api/v1/face-credentials/{face.Id()}/thumbnail")).AssertStatusAsync(HttpStatusCode.NotFound);
        var stored = await app.InStoreAsync(db => db.Database
            .SqlQuery<byte[]?>($"SELECT \"FaceThumbnail\" AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {Guid.Parse(face.Id())}").SingleAsync());
        Assert.Null(stored);
    }

    [Fact]
    public async Task Delete_FaceCredential_RemovesTemplateAndThumbnail_AndTheAuditLogHasNoBiometric()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var face = await org.Owner.EnrolledAsync(user.Id());
        var id = Guid.Parse(face.Id());
        var stored = await app.InStoreAsync(db => db.Database
            .SqlQuery<byte[]>($"SELECT \"FaceTemplate\" AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {id}").SingleAsync());

        await (await org.Owner.DeleteAsync($"/api/v1/credentials/{face.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var left = await app.InStoreAsync(db => db.Database
            .SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {id}").SingleAsync());
        Assert.Equal(0, left);
        var audit = await (await org.Owner.GetAsync($"/api/v1/audit?entityId={face.Id()}")).Content.ReadAsStringAsync();
        Assert.Contains("created", audit, StringComparison.Ordinal);
        Assert.Contains("deleted", audit, StringComparison.Ordinal);
        Assert.Contains("protectedTemplate", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(stored)[..24], audit, StringComparison.Ordinal);
        AssertNoBiometricIn(audit);
    }

    [Fact]
    public async Task Delete_User_RemovesTheirFace()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var face = await org.Owner.EnrolledAsync(user.Id());

        await (await org.Owner.DeleteAsync($"/api/v1/users/{user.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var left = await app.InStoreAsync(db => db.Database
            .SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {Guid.Parse(face.Id())}").SingleAsync());
        Assert.Equal(0, left);
    }

    [Fact]
    public async Task Enroll_SamePersonAsAnotherUser_EnrollsFlaggedWithWhomItResembles_UntilThatFaceIsDeleted()
    {
        var org = await app.NewOrganizationAsync();
        var first = await org.Owner.NewUserAsync("Franck", "One");
        var second = await org.Owner.NewUserAsync("Frank", "Two");
        var stranger = await org.Owner.NewUserAsync("Barack", "Three");
        var original = await org.Owner.EnrolledAsync(first.Id(), "franck_01829.jpg");

        var duplicate = await org.Owner.EnrolledAsync(second.Id(), "franck_02045.jpg");
        var unrelated = await org.Owner.EnrolledAsync(stranger.Id(), "obama4_crop.jpg");

        var resembles = duplicate.GetProperty("face").GetProperty("resembles");
        Assert.Equal((first.Id(), "Franck One", original.Id()), (resembles.Str("userId"), resembles.Str("name"), resembles.Str("credentialId")));
        Assert.True(resembles.GetProperty("similarity").GetSingle() >= 0.45f);
        Assert.Equal(JsonValueKind.Null, unrelated.GetProperty("face").GetProperty("resembles").ValueKind);

        await (await org.Owner.DeleteAsync($"/api/v1/credentials/{original.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);
        var after = await org.Owner.GetJsonAsync($"/api/v1/credentials/{duplicate.Id()}");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("face").GetProperty("resembles").ValueKind);
    }

    [Fact]
    public async Task TemplateOfAnotherModel_ShowsReenrollNeeded_AndIsNeverCompared()
    {
        var org = await app.NewOrganizationAsync();
        var first = await org.Owner.NewUserAsync("Franck", "One");
        var second = await org.Owner.NewUserAsync("Frank", "Two");
        var old = await org.Owner.EnrolledAsync(first.Id(), "franck_01829.jpg");
        var id = Guid.Parse(old.Id());
        await app.InStoreAsync(db => db.Database.ExecuteSqlAsync($"UPDATE \"Credentials\" SET \"FaceModel\" = 'retired-model' WHERE \"Id\" = {id}"));

        var shown = await org.Owner.GetJsonAsync($"/api/v1/credentials/{old.Id()}");
        var duplicate = await org.Owner.EnrolledAsync(second.Id(), "franck_02045.jpg");

        Assert.True(shown.GetProperty("face").GetProperty("reenrollNeeded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, duplicate.GetProperty("face").GetProperty("resembles").ValueKind);
    }

    [Fact]
    public async Task Enroll_TwentyAtOnce_AreAllAnswered()
    {
        var org = await app.NewOrganizationAsync();
        var users = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            users.Add((await org.Owner.NewUserAsync($"User{i}")).Id());
        }

        var photo = FaceAssets.Photo("cage.jpg");
        var responses = await Task.WhenAll(users.Select(u => org.Owner.EnrollAsync(u, photo)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
    }

    [Fact]
    public async Task Logs_OfAnEnrollment_HoldNoTemplateOrImage()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var face = await org.Owner.EnrolledAsync(user.Id());
        var raw = await app.InStoreAsync(db => db.Database
            .SqlQuery<byte[]>($"SELECT \"FaceTemplate\" AS \"Value\" FROM \"Credentials\" WHERE \"Id\" = {Guid.Parse(face.Id())}").SingleAsync());
        var template = app.Services.GetRequiredService<FaceProtector>().UnprotectTemplate("m", raw);
        var firstValue = template.Vector[0].ToString(System.Globalization.CultureInfo.InvariantCulture);

        var lines = app.Logs.Lines.Select(l => l.Message).ToList();

        Assert.Contains(lines, l => l.Contains(face.Id(), StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(firstValue, StringComparison.Ordinal) || l.Contains("/9j/", StringComparison.Ordinal));
    }

    private static void AssertNoBiometricIn(string audit)
    {
        using var json = JsonDocument.Parse(audit);
        foreach (var entry in json.RootElement.GetProperty("items").EnumerateArray())
        {
            var text = entry.GetRawText();
            Assert.DoesNotContain("/9j/", text, StringComparison.Ordinal); // the start of a base64 JPEG
        }
    }
}

/// <summary><c>GET/PATCH /organization/face-settings</c>.</summary>
public sealed class FaceSettingsTests(FacesApp app) : IClassFixture<FacesApp>
{
    [Fact]
    public async Task Notice_WithParagraphs_IsKept_ButADirectionOverrideIs400NamingNotice()
    {
        var org = await app.NewOrganizationAsync();

        var kept = await (await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = "First paragraph.\r\n\r\nSecond paragraph." })).JsonAsync();
        var refused = await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = "Consent \u202E txt.exe" });
        var blank = await org.Owner.PatchAsJsonAsync("/api/v1/organization/face-settings", new { notice = "  " });

        Assert.Equal("First paragraph.\n\nSecond paragraph.", kept.GetProperty("notice").Str("text"));
        await refused.AssertFieldErrorAsync("notice");
        await blank.AssertFieldErrorAsync("notice");
        Assert.Single((await org.Owner.GetJsonAsync("/api/v1/organization/face-settings/notices")).EnumerateArray());
    }

    [Fact]
    public async Task Settings_ViewerMayReadButNotChange()
    {
        var org = await app.NewOrganizationAsync();
        using var viewer = await org.MemberAsync("viewer");

        var read = await viewer.GetAsync("/api/v1/organization/face-settings");
        var change = await viewer.PatchAsJsonAsync("/api/v1/organization/face-settings", new { keepThumbnails = false });

        Assert.True((await read.JsonAsync()).GetProperty("notice").GetProperty("isDefault").GetBoolean());
        await change.AssertStatusAsync(HttpStatusCode.Forbidden);
    }
}
