using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.CloudKeys;

/// <summary><c>POST /users/{id}/credentials/cloud-keys</c>, resend, revoke, clear-lock, and the credential calls on a key.</summary>
public sealed class CloudKeyAdminTests(CloudKeysApp app) : IClassFixture<CloudKeysApp>
{
    [Fact]
    public async Task Create_ByEmailAndText_Is201AndSendsTheLinkAndPinWhichTheStoreDoesNotKeep()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var until = app.Clock.GetUtcNow().AddDays(2);

        var response = await scene.Owner.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/cloud-keys",
            new { sendEmail = true, sendText = true, validUntil = until, oneTimeUse = true });

        var key = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/credentials/{key.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal(("cloudKey", "active"), (key.Str("type"), key.Str("status")));
        var cloudKey = key.GetProperty("cloudKey");
        Assert.Equal("active", cloudKey.Str("state"));
        Assert.True(cloudKey.GetProperty("oneTimeUse").GetBoolean());
        Assert.True(cloudKey.GetProperty("sendEmail").GetBoolean() && cloudKey.GetProperty("sendText").GetBoolean());

        var email = await app.ReceivedAsync(key.Id(), "email");
        var text = await app.ReceivedAsync(key.Id(), "sms");
        Assert.StartsWith("http://gatehouse.test/k/", email.Link, StringComparison.Ordinal);
        Assert.Equal((email.Token, email.Pin), (text.Token, text.Pin));
        Assert.Contains($"Hello {KeyScene.FirstName}", email.Text, StringComparison.Ordinal);
        Assert.Contains("once only", email.Text, StringComparison.Ordinal);
        var organizationName = (await scene.Owner.GetJsonAsync("/api/v1/organization")).Str("name");
        Assert.Equal($"Your Cloud Key for {organizationName}", email.Subject);

        // Neither secret is in the answer, the store or the audit log.
        var answer = await response.Content.ReadAsStringAsync();
        var audit = await (await scene.Owner.GetAsync($"/api/v1/audit?entityId={key.Id()}")).Content.ReadAsStringAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().Credentials.IgnoreQueryFilters()
            .OfType<CloudKeyCredential>().AsNoTracking().SingleAsync(k => k.Id == Guid.Parse(key.Id()));
        foreach (var secret in new[] { email.Token, email.Pin })
        {
            Assert.DoesNotContain(secret, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, stored.TokenHash + stored.PinHash, StringComparison.Ordinal);
        }

        Assert.Contains("created", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_NoWayToSend_Is400NamingSendEmailAndStoresNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);

        var response = await scene.Owner.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/cloud-keys",
            new { sendEmail = false, sendText = false, validUntil = app.Clock.GetUtcNow().AddDays(1) });

        await response.AssertFieldErrorAsync("sendEmail");
        Assert.Equal(0, await scene.Owner.TotalAsync($"/api/v1/users/{scene.UserId}/credentials"));
    }

    [Fact]
    public async Task Create_UserWithoutEmailOrPhone_Is400NamingEachChannelAndQueuesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync(firstName: "Sam");

        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys",
            new { sendEmail = true, sendText = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });

        Assert.Contains("Sam has no email address", Assert.Single(await response.AssertFieldErrorAsync("sendEmail")), StringComparison.Ordinal);
        Assert.Contains("Sam has no phone number", Assert.Single(await response.AssertFieldErrorAsync("sendText")), StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        Assert.False(await db.OutboxMessages.IgnoreQueryFilters().AnyAsync(m => m.UserId == Guid.Parse(user.Id())));
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData(-60, "future")]
    public async Task Create_ValidUntilMissingOrPast_Is400NamingValidUntil(int? minutesFromNow, string says)
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        DateTimeOffset? until = minutesFromNow is { } m ? app.Clock.GetUtcNow().AddMinutes(m) : null;

        var response = await scene.Owner.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/cloud-keys",
            new { sendEmail = true, validUntil = until });

        Assert.Contains(says, Assert.Single(await response.AssertFieldErrorAsync("validUntil")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ValidFromAfterValidUntil_Is400NamingValidUntil()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var now = app.Clock.GetUtcNow();

        var response = await scene.Owner.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/cloud-keys",
            new { sendEmail = true, validFrom = now.AddDays(3), validUntil = now.AddDays(2) });

        await response.AssertFieldErrorAsync("validUntil");
    }

    [Fact]
    public async Task Create_ForAUserOfAnotherOrganization_Is404()
    {
        await using var theirs = await KeyScene.CreateAsync(app, withDevice: false);
        var mine = await app.NewOrganizationAsync();

        var response = await mine.Owner.PostAsJsonAsync($"/api/v1/users/{theirs.UserId}/credentials/cloud-keys",
            new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await theirs.Owner.TotalAsync($"/api/v1/users/{theirs.UserId}/credentials"));
    }

    [Fact]
    public async Task RevokeResendClearLock_KeyOfAnotherOrganization_Is404AndChangesNothing()
    {
        await using var theirs = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await theirs.NewKeyAsync();
        var before = await theirs.Owner.GetJsonAsync($"/api/v1/credentials/{key.Id()}");
        var mine = await app.NewOrganizationAsync();

        foreach (var action in new[] { "revoke", "resend", "clear-lock" })
        {
            await (await mine.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/{action}", null)).AssertStatusAsync(HttpStatusCode.NotFound);
        }

        await (await mine.Owner.DeleteAsync($"/api/v1/credentials/{key.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        var after = await theirs.Owner.GetJsonAsync($"/api/v1/credentials/{key.Id()}");
        Assert.Equal("active", after.GetProperty("cloudKey").Str("state"));
        Assert.Equal(before.ToString(), after.ToString());
    }

    [Fact]
    public async Task Create_ByAViewer_Is403()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var viewer = await scene.Org.MemberAsync("viewer");

        var response = await viewer.PostAsJsonAsync($"/api/v1/users/{scene.UserId}/credentials/cloud-keys",
            new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Revoke_ShowsRevokedInTheListAndTheAuditLog()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync();

        var revoked = await (await scene.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/revoke", null)).JsonAsync();

        Assert.Equal("revoked", revoked.GetProperty("cloudKey").Str("state"));
        var listed = Assert.Single((await scene.Owner.GetJsonAsync($"/api/v1/users/{scene.UserId}/credentials")).GetProperty("items").EnumerateArray());
        Assert.Equal("revoked", listed.GetProperty("cloudKey").Str("state"));
        var audit = await scene.Owner.GetJsonAsync($"/api/v1/audit?entityId={key.Id()}");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e =>
            e.Str("action") == "updated" && e.GetProperty("changes").EnumerateArray().Any(c => c.Str("field") == "revokedAt"));
    }

    [Fact]
    public async Task Resend_SendsANewLinkAndPin_TheOldOnesStopWorking()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var old = await app.ReceivedAsync(key.Id());
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        var resent = await (await scene.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/resend", null)).JsonAsync();

        var fresh = await app.ReceivedAsync(key.Id());
        Assert.NotEqual(old.Token, fresh.Token);
        Assert.NotEqual(key.GetProperty("cloudKey").Str("sentAt"), resent.GetProperty("cloudKey").Str("sentAt"));
        var anonymous = app.Anonymous();
        await (await anonymous.GetAsync($"/api/v1/public/cloud-keys/{old.Token}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await anonymous.UnlockAsync(old.Token, scene.DoorId, old.Pin)).AssertStatusAsync(HttpStatusCode.NotFound);
        if (old.Pin != fresh.Pin)
        {
            var wrong = await (await anonymous.UnlockAsync(fresh.Token, scene.DoorId, old.Pin)).JsonAsync(HttpStatusCode.Forbidden);
            Assert.Equal("wrongPin", wrong.Str("reason"));
        }

        await (await anonymous.UnlockAsync(fresh.Token, scene.DoorId, fresh.Pin)).JsonAsync();
    }

    [Fact]
    public async Task Resend_RevokedKey_Is409AndSendsNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync();
        var sent = await app.ReceivedAsync(key.Id());
        await (await scene.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/revoke", null)).JsonAsync();

        var response = await scene.Owner.PostAsync($"/api/v1/cloud-keys/{key.Id()}/resend", null);

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(sent.Token, (await app.ReceivedAsync(key.Id())).Token);
    }

    [Fact]
    public async Task Delete_TheKeysLinkFindsNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        await (await scene.Owner.DeleteAsync($"/api/v1/credentials/{key.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await app.Anonymous().GetAsync($"/api/v1/public/cloud-keys/{received.Token}")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Suspend_ThePageSaysSuspendedAndTheKeyOpensNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app);
        var key = await scene.NewKeyAsync();
        var received = await app.ReceivedAsync(key.Id());

        await (await scene.Owner.PatchJsonAsync($"/api/v1/credentials/{key.Id()}", new { status = "suspended" })).JsonAsync();

        var anonymous = app.Anonymous();
        Assert.Equal("suspended", (await anonymous.GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}")).Str("status"));
        var refused = await (await anonymous.UnlockAsync(received.Token, scene.DoorId, received.Pin)).JsonAsync(HttpStatusCode.Forbidden);
        Assert.Equal("suspended", refused.Str("reason"));
        Assert.Empty(scene.Device!.Commands.OfType<Gatehouse.Core.DeviceProtocol.UnlockCommand>());
    }
}
