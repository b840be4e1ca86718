using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Faces;

/// <summary>Selfie invitations: the admin's calls, the link's page and photo, and every state the link can be in.</summary>
public sealed class FaceInvitationTests(FacesApp app) : IClassFixture<FacesApp>
{
    [Fact]
    public async Task Create_ByEmailAndText_Is201SentWithTheLinkInBothMessages_WhichTheStoreAndAnswerDoNotHold()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewReachableUserAsync();
        var expiresAt = app.Clock.GetUtcNow().AddDays(3);

        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, sendText = true, expiresAt });

        var invitation = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/face-invitations/{invitation.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("sent", invitation.Str("status"));
        Assert.Equal(expiresAt, invitation.GetProperty("expiresAt").GetDateTimeOffset());
        var email = await app.InvitationReceivedAsync(user.Id());
        var text = await app.InvitationReceivedAsync(user.Id(), "sms");
        Assert.StartsWith("http://gatehouse.test/s/", email.Link, StringComparison.Ordinal);
        Assert.Equal(email.Token, text.Token);
        Assert.Contains("Hello Noor", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(email.Token, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var audit = await (await org.Owner.GetAsync($"/api/v1/audit?entityId={invitation.Id()}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(email.Token, audit, StringComparison.Ordinal);

        var listed = await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations");
        Assert.Equal(invitation.Id(), Assert.Single(listed.GetProperty("items").EnumerateArray()).Id());
    }

    public static TheoryData<int?, string> BadExpiries => new()
    {
        { null, "expiresAt" },
        { -1, "expiresAt" },
        { 31 * 24, "expiresAt" },
    };

    [Theory]
    [MemberData(nameof(BadExpiries))]
    public async Task Create_ExpiryMissingPastOrBeyondThirtyDays_Is400NamingExpiresAt(int? hoursFromNow, string field)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewReachableUserAsync();
        DateTimeOffset? expiresAt = hoursFromNow is { } h ? app.Clock.GetUtcNow().AddHours(h) : null;

        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, expiresAt });

        await response.AssertFieldErrorAsync(field);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations"));
    }

    [Fact]
    public async Task Create_NoChannel_Is400NamingSendEmail()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewReachableUserAsync();

        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { expiresAt = app.Clock.GetUtcNow().AddDays(1) });

        await response.AssertFieldErrorAsync("sendEmail");
    }

    [Fact]
    public async Task PublicGet_ShowsTheNoticeAndMarksOpened_WithoutUsingTheLinkUp()
    {
        var (org, user, invitation, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();

        var first = await anonymous.GetJsonAsync($"/api/v1/public/face-invitations/{link.Token}");
        var second = await anonymous.GetJsonAsync($"/api/v1/public/face-invitations/{link.Token}");

        Assert.Equal(("Noor", "opened"), (first.Str("firstName"), first.Str("status")));
        Assert.Contains("face template", first.Str("notice"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(first.Str("organizationName")));
        Assert.Equal(second.GetRawText(), first.GetRawText());
        Assert.Equal("opened", (await org.Owner.GetJsonAsync($"/api/v1/face-invitations/{invitation.Id()}")).Str("status"));

        // Link scanners only GET: the selfie still enrolls afterwards.
        var selfie = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));
        await selfie.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("face", (await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials")).GetProperty("items")[0].Str("type"));
    }

    [Fact]
    public async Task Selfie_WithConsent_Enrolls_CompletesTheInvitation_AndTheLinkAnswers410After()
    {
        var (org, user, invitation, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();

        var selfie = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));

        var result = await selfie.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("completed", result.Str("status"));
        var shown = await org.Owner.GetJsonAsync($"/api/v1/face-invitations/{invitation.Id()}");
        Assert.Equal("completed", shown.Str("status"));
        var face = await org.Owner.GetJsonAsync($"/api/v1/credentials/{shown.Str("credentialId")}");
        var consent = face.GetProperty("face").GetProperty("consent");
        Assert.Equal((invitation.Id(), JsonValueKind.Null), (consent.Str("invitationId"), consent.GetProperty("adminId").ValueKind));
        Assert.Equal(user.Id(), face.Str("userId"));

        var again = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));
        var page = await anonymous.GetAsync($"/api/v1/public/face-invitations/{link.Token}");
        Assert.Equal("completed", (await again.JsonAsync(HttpStatusCode.Gone)).Str("reason"));
        Assert.Equal("completed", (await page.JsonAsync(HttpStatusCode.Gone)).Str("reason"));
        Assert.Equal(1, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Selfie_WithoutConsent_Is400NamingConsent_AndDoesNotCountAsAnUpload()
    {
        var (org, user, invitation, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();

        var response = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"), consent: false);

        await response.AssertFieldErrorAsync("consent");
        Assert.Equal(0, (await org.Owner.GetJsonAsync($"/api/v1/face-invitations/{invitation.Id()}")).GetProperty("uploads").GetInt32());
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Selfie_RejectedPhoto_Is422WithReasonAndDetail_AndTheLinkStillWorks()
    {
        var (_, _, _, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();

        var rejected = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("sample1.jpg"));
        var problem = await rejected.JsonAsync(HttpStatusCode.UnprocessableEntity);
        var enrolled = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));

        Assert.Equal("multipleFaces", problem.Str("reason"));
        Assert.False(string.IsNullOrEmpty(problem.Str("detail")));
        await enrolled.JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Selfie_EleventhUpload_Is429AndEnrollsNothing()
    {
        var (org, user, _, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();
        var notAPhoto = "GIF89a not a photo"u8.ToArray();

        for (var i = 0; i < 10; i++)
        {
            await (await anonymous.SelfieAsync(link.Token, notAPhoto)).AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        }

        var eleventh = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));

        Assert.Equal("tooManyUploads", (await eleventh.JsonAsync(HttpStatusCode.TooManyRequests)).Str("reason"));
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Selfie_ExpiredLink_Is410Expired()
    {
        var (org, _, invitation, link) = await InvitedAsync(validFor: TimeSpan.FromHours(1));
        using var anonymous = app.Anonymous();
        app.Clock.Advance(TimeSpan.FromHours(1));

        var page = await anonymous.GetAsync($"/api/v1/public/face-invitations/{link.Token}");
        var selfie = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));

        Assert.Equal("expired", (await page.JsonAsync(HttpStatusCode.Gone)).Str("reason"));
        Assert.Equal("expired", (await selfie.JsonAsync(HttpStatusCode.Gone)).Str("reason"));
        Assert.Equal("expired", (await org.Owner.GetJsonAsync($"/api/v1/face-invitations/{invitation.Id()}")).Str("status"));
    }

    [Fact]
    public async Task Selfie_RevokedLink_Is410Revoked()
    {
        var (org, _, invitation, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();

        var revoked = await (await org.Owner.PostAsync($"/api/v1/face-invitations/{invitation.Id()}/revoke", null)).JsonAsync();
        var selfie = await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"));

        Assert.Equal("revoked", revoked.Str("status"));
        Assert.Equal("revoked", (await selfie.JsonAsync(HttpStatusCode.Gone)).Str("reason"));
        await (await org.Owner.PostAsync($"/api/v1/face-invitations/{invitation.Id()}/resend", null)).AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Resend_SendsANewLink_TheOldOneIs404()
    {
        var (org, user, invitation, old) = await InvitedAsync();
        using var anonymous = app.Anonymous();
        await anonymous.GetJsonAsync($"/api/v1/public/face-invitations/{old.Token}");

        var resent = await (await org.Owner.PostAsync($"/api/v1/face-invitations/{invitation.Id()}/resend", null)).JsonAsync();
        var link = await app.InvitationReceivedAsync(user.Id());

        Assert.NotEqual(old.Token, link.Token);
        Assert.Equal("sent", resent.Str("status"));
        await (await anonymous.GetAsync($"/api/v1/public/face-invitations/{old.Token}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await anonymous.SelfieAsync(old.Token, FaceAssets.Photo("obama4_crop.jpg"))).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await anonymous.SelfieAsync(link.Token, FaceAssets.Photo("obama4_crop.jpg"))).JsonAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("short")]
    public async Task UnknownToken_Is404(string token)
    {
        using var anonymous = app.Anonymous();

        await (await anonymous.GetAsync($"/api/v1/public/face-invitations/{token}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await anonymous.SelfieAsync(token, FaceAssets.Photo("obama4_crop.jpg"))).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnotherOrganizationsUserOrInvitation_Is404()
    {
        var (_, user, invitation, _) = await InvitedAsync();
        var other = await app.NewOrganizationAsync();

        var create = await other.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, expiresAt = app.Clock.GetUtcNow().AddDays(1) });
        var list = await other.Owner.GetAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations");
        var get = await other.Owner.GetAsync($"/api/v1/face-invitations/{invitation.Id()}");
        var revoke = await other.Owner.PostAsync($"/api/v1/face-invitations/{invitation.Id()}/revoke", null);
        var resend = await other.Owner.PostAsync($"/api/v1/face-invitations/{invitation.Id()}/resend", null);

        foreach (var response in new[] { create, list, get, revoke, resend })
        {
            await response.AssertStatusAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task SelfiePage_IsServedWithItsOwnStrictPolicyNoReferrerAndNoStore()
    {
        var (_, _, _, link) = await InvitedAsync();
        using var anonymous = app.Anonymous();

        var response = await anonymous.GetAsync($"/s/{link.Token}");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; " +
            "media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    private async Task<(TestOrganization Org, JsonElement User, JsonElement Invitation, ReceivedInvitation Link)> InvitedAsync(TimeSpan? validFor = null)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewReachableUserAsync();
        var invitation = await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, expiresAt = app.Clock.GetUtcNow() + (validFor ?? TimeSpan.FromDays(2)) });
        return (org, user, invitation, await app.InvitationReceivedAsync(user.Id()));
    }
}
