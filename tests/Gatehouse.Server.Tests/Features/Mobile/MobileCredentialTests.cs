using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Core.Mobile;
using Gatehouse.Server.Tests.Features.CloudKeys;
using Gatehouse.Server.Tests.Features.Devices;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Mobile;

/// <summary>
/// A mobile credential through the API and the app's public endpoints: the welcome message, activation with the
/// phone's key, the signed door list and unlock, and every bad input the app or an attacker could send.
/// </summary>
public sealed class MobileCredentialTests(MobileApp app) : IClassFixture<MobileApp>
{
    [Fact]
    public async Task Add_SendsAWelcomeEmailWithTheActivationLinkAndItsQrCode_AndIsPending()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);

        var credential = await scene.Owner.NewMobileAsync(scene.UserId, sendEmail: true, sendText: true);

        Assert.Equal("mobile", credential.Str("type"));
        var mobile = credential.GetProperty("mobile");
        Assert.Equal("pending", mobile.Str("state"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, mobile.GetProperty("deviceName").ValueKind);
        var email = await app.WelcomeAsync(credential.Id());
        Assert.Contains("Add to Home Screen", email.Text, StringComparison.Ordinal);
        Assert.Contains($"cid:{Gatehouse.Server.Features.Mobile.MobileMessages.QrContentId}", email.Html, StringComparison.Ordinal);
        Assert.Equal(1, email.Images);
        var text = await app.WelcomeAsync(credential.Id(), "sms");
        Assert.Equal(email.Link, text.Link);
    }

    [Fact]
    public async Task Add_WithoutAChannelOrAnEmailOnFile_Is400NamingTheField()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var noEmail = await scene.Owner.CreateAsync("/api/v1/users", new { firstName = "Ines", lastName = "Silva" });

        await (await scene.Owner.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/mobile", new { sendEmail = false, sendText = false }))
            .AssertFieldErrorAsync("sendEmail");
        await (await scene.Owner.PostAsJsonAsync($"/api/v1/users/{noEmail.Id()}/credentials/mobile", new { sendEmail = true }))
            .AssertFieldErrorAsync("sendEmail");
        Assert.Equal(0, await scene.Owner.TotalAsync($"/api/v1/users/{noEmail.Id()}/credentials"));
    }

    [Fact]
    public async Task Activate_BindsThePhonesKey_ThenTheCredentialIsActiveWithThePhonesName()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        var welcome = await app.WelcomeAsync(credential.Id());
        using var phone = new TestPhone(app.Anonymous());

        var activated = await phone.ActivatedAsync(welcome.Code, "Noor's Pixel");

        Assert.Equal(credential.Id(), activated.Str("credentialId"));
        Assert.Equal((KeyScene.FirstName, scene.Org.Id), (activated.Str("firstName"), activated.Str("organizationId")));
        var mobile = (await scene.Owner.GetJsonAsync($"/api/v1/credentials/{credential.Id()}")).GetProperty("mobile");
        Assert.Equal(("active", "Noor's Pixel"), (mobile.Str("state"), mobile.Str("deviceName")));
        // PostgreSQL keeps microseconds, the clock ticks.
        Assert.Equal(app.Clock.GetUtcNow(), mobile.GetProperty("activatedAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Audit_RecordsTheAddAndTheActivation_NeverTheCodesHashOrAChallenge()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        using var phone = new TestPhone(app.Anonymous());
        await phone.ActivatedAsync((await app.WelcomeAsync(credential.Id())).Code);
        await (await phone.DoorsAsync()).AssertStatusAsync(HttpStatusCode.OK);

        var entries = (await scene.Owner.GetJsonAsync($"/api/v1/audit?entityId={credential.Id()}&pageSize=100")).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(["created", "updated"], entries.Select(e => e.Str("action")).Reverse());
        var all = string.Join("\n", entries.Select(e => e.ToString()));
        Assert.Contains("deviceName", all, StringComparison.Ordinal);
        Assert.DoesNotContain(Gatehouse.Server.Features.CloudKeys.CloudKeySecrets.HashToken((await app.WelcomeAsync(credential.Id())).Code), all, StringComparison.Ordinal);
        var audited = (await scene.Owner.GetJsonAsync("/api/v1/audit?pageSize=200")).GetProperty("items").EnumerateArray();
        Assert.DoesNotContain(audited, e => e.Str("entityType").Contains("challenge", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Activate_TheSameCodeAgain_Is410Used_AndTheFirstPhoneKeepsTheCredential()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        var welcome = await app.WelcomeAsync(credential.Id());
        using var first = new TestPhone(app.Anonymous());
        using var second = new TestPhone(app.Anonymous());
        await first.ActivatedAsync(welcome.Code);

        var again = await (await second.ActivateAsync(welcome.Code)).JsonAsync(HttpStatusCode.Gone);

        Assert.Equal("used", again.Str("reason"));
        await (await first.DoorsAsync()).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Activate_AfterSevenDays_Is410Expired()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        var welcome = await app.WelcomeAsync(credential.Id());
        using var phone = new TestPhone(app.Anonymous());
        app.Clock.Advance(TimeSpan.FromDays(7));

        var expired = await (await phone.ActivateAsync(welcome.Code)).JsonAsync(HttpStatusCode.Gone);

        Assert.Equal("expired", expired.Str("reason"));
        using var owner = await app.SignInAsync(scene.Org.OwnerEmail, GatehouseApp.OwnerPassword);
        Assert.Equal("pending", (await owner.GetJsonAsync($"/api/v1/credentials/{credential.Id()}")).GetProperty("mobile").Str("state"));
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-code")]
    [InlineData("")]
    public async Task Activate_ForgedOrMalformedCode_Is404(string code)
    {
        using var phone = new TestPhone(app.Anonymous());

        await (await phone.ActivateAsync(code)).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, object> KeysNotOnP256 => new()
    {
        { "P-384", new { kty = "EC", crv = "P-384", x = new string('A', 64), y = new string('A', 64) } },
        { "RSA", new { kty = "RSA", n = "AQAB", e = "AQAB" } },
        { "off the curve", new { kty = "EC", crv = "P-256", x = new string('A', 43), y = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE" } },
        { "short x", new { kty = "EC", crv = "P-256", x = "AAAA", y = new string('A', 43) } },
        { "not an object", "a key" },
    };

    [Theory]
    [MemberData(nameof(KeysNotOnP256))]
    public async Task Activate_KeyNotOnP256_Is400NamingPublicKey_AndTheCodeStillWorks(string what, object publicKey)
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        var welcome = await app.WelcomeAsync(credential.Id());
        using var phone = new TestPhone(app.Anonymous());

        var errors = await (await phone.ActivateAsync(welcome.Code, publicKey)).AssertFieldErrorAsync("publicKey");
        Assert.True(errors.Length > 0, what);

        Assert.Equal("pending", (await scene.Owner.GetJsonAsync($"/api/v1/credentials/{credential.Id()}")).GetProperty("mobile").Str("state"));
        await phone.ActivatedAsync(welcome.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\u0000phone")]
    [InlineData("This name is far too long for any phone that a person would ever carry around")]
    public async Task Activate_BadPhoneName_Is400NamingDeviceName(string deviceName)
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        var welcome = await app.WelcomeAsync(credential.Id());
        using var phone = new TestPhone(app.Anonymous());

        await (await phone.ActivateAsync(welcome.Code, deviceName: deviceName)).AssertFieldErrorAsync("deviceName");
    }

    [Fact]
    public async Task Doors_SignedChallenge_ListsTheUsersDoorsOpenNow()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);

        var page = await (await phone.DoorsAsync()).JsonAsync();

        Assert.Equal((KeyScene.FirstName, "active"), (page.Str("firstName"), page.Str("status")));
        var door = Assert.Single(page.GetProperty("doors").EnumerateArray());
        Assert.Equal(scene.DoorId, door.Id());
        Assert.True(door.GetProperty("openNow").GetBoolean());
    }

    [Fact]
    public async Task Doors_SuspendedPhone_Is403SayingSo()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);
        await (await scene.Owner.PatchJsonAsync($"/api/v1/credentials/{phone.CredentialId}", new { status = "suspended" })).JsonAsync();

        var refused = await (await phone.DoorsAsync()).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("credentialSuspended", refused.Str("reason"));
        Assert.Contains("suspended", refused.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doors_SignatureByAnotherKey_Is403TokenInvalid()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var challenge = await phone.ChallengeAsync();

        var refused = await (await phone.DoorsAsync(challenge, phone.Sign(MobileProofPurpose.Doors, challenge, key: thief))).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("tokenInvalid", refused.Str("reason"));
    }

    [Fact]
    public async Task Doors_ReplayedChallenge_Is403TokenReplayed()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);
        var challenge = await phone.ChallengeAsync();
        var signature = phone.Sign(MobileProofPurpose.Doors, challenge);
        await (await phone.DoorsAsync(challenge, signature)).AssertStatusAsync(HttpStatusCode.OK);

        var replayed = await (await phone.DoorsAsync(challenge, signature)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("tokenReplayed", replayed.Str("reason"));
    }

    [Fact]
    public async Task Doors_ChallengeAfterSixtySeconds_Is403TokenExpired()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);
        var challenge = await phone.ChallengeAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(61));

        var expired = await (await phone.DoorsAsync(challenge)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("tokenExpired", expired.Str("reason"));
    }

    [Fact]
    public async Task Doors_ChallengeNeverGiven_Is403TokenInvalid()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);
        var made = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

        var refused = await (await phone.DoorsAsync(made)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("tokenInvalid", refused.Str("reason"));
    }

    [Fact]
    public async Task Unlock_SignedChallenge_OpensTheDoorThroughItsDevice_RecordsAnOnlineMobileEvent_AndNotesTheUse()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        using var phone = await ActivePhoneAsync(scene);

        var unlocked = await (await phone.UnlockAsync(scene.DoorId)).JsonAsync();

        Assert.True(unlocked.GetProperty("unlocked").GetBoolean());
        var command = await TestDevice.WaitForAsync(() => scene.Device!.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        Assert.Equal(Guid.Parse(scene.DoorId), command.DoorId);
        var accessEvent = Assert.Single((await scene.Owner.GetJsonAsync($"/api/v1/events?doorId={scene.DoorId}")).GetProperty("items").EnumerateArray());
        Assert.Equal(("mobile", "mobile", "granted"), (accessEvent.Str("source"), accessEvent.Str("credentialType"), accessEvent.Str("reason")));
        Assert.Equal(phone.CredentialId.ToString(), accessEvent.Str("credentialId"));
        var mobile = (await scene.Owner.GetJsonAsync($"/api/v1/credentials/{phone.CredentialId}")).GetProperty("mobile");
        Assert.Equal(accessEvent.GetProperty("occurredAt").GetDateTimeOffset(), mobile.GetProperty("lastUsedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Unlock_SignatureForAnotherDoor_Is403TokenInvalidWithAnEventAndNoCommand()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        using var phone = await ActivePhoneAsync(scene);
        var challenge = await phone.ChallengeAsync();

        var refused = await (await phone.UnlockAsync(scene.DoorId, challenge, phone.Sign(MobileProofPurpose.Unlock, challenge, Guid.NewGuid())))
            .JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("tokenInvalid", refused.Str("reason"));
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
        var attempt = Assert.Single((await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray());
        Assert.Equal(("tokenInvalid", "mobile"), (attempt.Str("reason"), attempt.Str("source")));
    }

    [Fact]
    public async Task Unlock_ReplayedChallenge_Is403TokenReplayedAndOpensNothingMore()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        using var phone = await ActivePhoneAsync(scene);
        var challenge = await phone.ChallengeAsync();
        var signature = phone.Sign(MobileProofPurpose.Unlock, challenge, Guid.Parse(scene.DoorId));
        await (await phone.UnlockAsync(scene.DoorId, challenge, signature)).AssertStatusAsync(HttpStatusCode.OK);

        var replayed = await (await phone.UnlockAsync(scene.DoorId, challenge, signature)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("tokenReplayed", replayed.Str("reason"));
        Assert.Single(scene.Device!.Commands.OfType<UnlockCommand>());
    }

    [Fact]
    public async Task Unlock_SuspendedUser_Is403UserSuspendedWithAnEvent()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        using var phone = await ActivePhoneAsync(scene);
        await (await scene.Owner.PatchJsonAsync($"/api/v1/users/{scene.UserId}", new { status = "suspended" })).JsonAsync();

        var refused = await (await phone.UnlockAsync(scene.DoorId)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("userSuspended", refused.Str("reason"));
        Assert.Contains("suspended", refused.Str("detail"), StringComparison.Ordinal);
        Assert.Empty(scene.Device!.Commands.OfType<UnlockCommand>());
        Assert.Equal("userSuspended", Assert.Single((await scene.Owner.GetJsonAsync("/api/v1/events")).GetProperty("items").EnumerateArray()).Str("reason"));
    }

    [Fact]
    public async Task Unlock_SuspendedCredential_Is403CredentialSuspended()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        using var phone = await ActivePhoneAsync(scene);
        await (await scene.Owner.PatchJsonAsync($"/api/v1/credentials/{phone.CredentialId}", new { status = "suspended" })).JsonAsync();

        var refused = await (await phone.UnlockAsync(scene.DoorId)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("credentialSuspended", refused.Str("reason"));
    }

    [Fact]
    public async Task Unlock_DoorOfAnotherOrganization_Is403NoAccess_AndThatOrganizationSeesNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        await using var other = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);

        var refused = await (await phone.UnlockAsync(other.DoorId)).JsonAsync(HttpStatusCode.Forbidden);

        Assert.Equal("noAccessToDoor", refused.Str("reason"));
        Assert.Equal(0, await other.Owner.TotalAsync("/api/v1/events"));
        Assert.Equal(0, await scene.Owner.TotalAsync("/api/v1/events"));
    }

    [Fact]
    public async Task Challenge_PendingOrDeletedOrUnknownCredential_Is404()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var pending = await scene.Owner.NewMobileAsync(scene.UserId);
        using var phone = await ActivePhoneAsync(scene);
        await (await scene.Owner.DeleteAsync($"/api/v1/credentials/{phone.CredentialId}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await phone.ChallengeResponseAsync(Guid.Parse(pending.Id()))).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await phone.ChallengeResponseAsync()).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await phone.ChallengeResponseAsync(Guid.NewGuid())).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Challenge_TooManyOpenAtOnce_Is429UntilTheyExpire()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var phone = await ActivePhoneAsync(scene);
        for (var i = 0; i < 20; i++)
        {
            await (await phone.ChallengeResponseAsync()).AssertStatusAsync(HttpStatusCode.OK);
        }

        await (await phone.ChallengeResponseAsync()).AssertStatusAsync(HttpStatusCode.TooManyRequests);
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await phone.ChallengeResponseAsync()).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Resend_KillsTheOldLinkAndUnbindsThePhone_TheNewLinkBindsANewOne()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var lost = await ActivePhoneAsync(scene);
        var oldWelcome = await app.WelcomeAsync(lost.CredentialId.ToString());

        var resent = await (await scene.Owner.PostAsync($"/api/v1/mobile-credentials/{lost.CredentialId}/resend", null)).JsonAsync();

        Assert.Equal("pending", resent.GetProperty("mobile").Str("state"));
        await (await lost.ChallengeResponseAsync()).AssertStatusAsync(HttpStatusCode.NotFound);
        var newWelcome = await app.WelcomeAsync(lost.CredentialId.ToString());
        Assert.NotEqual(oldWelcome.Code, newWelcome.Code);
        using var replacement = new TestPhone(app.Anonymous());
        await (await replacement.ActivateAsync(oldWelcome.Code)).AssertStatusAsync(HttpStatusCode.NotFound);
        await replacement.ActivatedAsync(newWelcome.Code, "New phone");
        await (await replacement.DoorsAsync()).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnotherOrganizationsMobileCredential_Is404ForItsAdmin()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        await using var other = await KeyScene.CreateAsync(app, withDevice: false);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);

        await (await other.Owner.GetAsync($"/api/v1/credentials/{credential.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await other.Owner.PostAsync($"/api/v1/mobile-credentials/{credential.Id()}/resend", null)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await other.Owner.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/mobile", new { sendEmail = true })).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Device_SyncsTheActivatedPhonesPublicKey_AndLosesItWhenTheCredentialIsSuspended()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        using var phone = new TestPhone(app.Anonymous());

        await phone.ActivatedAsync((await app.WelcomeAsync(credential.Id())).Code);

        var synced = await scene.Device!.WaitForSyncAsync(
            s => s.Data.Credentials?.Any(c => c.Id == phone.CredentialId) == true, "the phone's key");
        var record = synced.Data.Credentials!.Single(c => c.Id == phone.CredentialId);
        Assert.Equal(("mobile", false), (record.Type, record.Suspended));
        Assert.Equal(MobileKeys.ToText(MobileKeys.Export(phone.Key)), record.MobileKey);

        await (await scene.Owner.PatchJsonAsync($"/api/v1/credentials/{phone.CredentialId}", new { status = "suspended" })).JsonAsync();
        await scene.Device.WaitForSyncAsync(
            s => s.Data.Credentials?.Any(c => c.Id == phone.CredentialId && c.Suspended) == true, "the phone suspended");
    }

    private async Task<TestPhone> ActivePhoneAsync(KeyScene scene)
    {
        var credential = await scene.Owner.NewMobileAsync(scene.UserId);
        var phone = new TestPhone(app.Anonymous());
        await phone.ActivatedAsync((await app.WelcomeAsync(credential.Id())).Code);
        return phone;
    }
}

/// <summary>The app's public endpoints' per-client limit: a flood of challenges from one client.</summary>
public sealed class MobileRateLimitTests(MobileRateLimitTests.LimitedApp app) : IClassFixture<MobileRateLimitTests.LimitedApp>
{
    public sealed class LimitedApp : MobileApp
    {
        protected override int MobileRequestsPerMinute => 5;
    }

    [Fact]
    public async Task Challenges_OverThePerClientLimit_Are429WithRetryAfter()
    {
        var anonymous = app.Anonymous();
        var credential = Guid.NewGuid();
        for (var i = 0; i < 5; i++)
        {
            await (await anonymous.PostAsync($"/api/v1/public/mobile/{credential}/challenge", null)).AssertStatusAsync(HttpStatusCode.NotFound);
        }

        var limited = await anonymous.PostAsync($"/api/v1/public/mobile/{credential}/challenge", null);

        await limited.AssertStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
