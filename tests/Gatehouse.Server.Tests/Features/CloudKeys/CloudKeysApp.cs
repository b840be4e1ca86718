using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Features.Devices;
using Gatehouse.Server.Tests.Features.Devices.Gateway;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Features.CloudKeys;

/// <summary>
/// The server for the Cloud Key tests: many organizations and devices, so neither sign-in nor claim limits
/// get in the way, and a public limit high enough for the concurrent-unlock race; its log lines are kept.
/// </summary>
public class CloudKeysApp : GatehouseApp
{
    public CloudKeysApp()
    {
    }

    /// <summary>The server again over <paramref name="previous"/>'s store, as after a restart.</summary>
    protected CloudKeysApp(GatehouseApp previous)
        : base(previous)
    {
    }

    public LogSink Logs { get; } = new();

    protected virtual int PublicRequestsPerMinute => 100_000;

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Devices:ClaimAttemptsPerMinute", "10000");
        builder.UseSetting("Gatehouse:Devices:UnlockConfirmationTimeout", "00:00:02");
        builder.UseSetting("Gatehouse:CloudKeys:PublicRequestsPerMinute", PublicRequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
    }
}

/// <summary>The link and PIN a user received, read from the captured message as the user would read it.</summary>
public sealed record ReceivedKey(string Link, string Token, string Pin, string Text, string? Subject);

/// <summary>
/// An organization with a UTC site, a door whose schedule is open all week, a user with an email and a
/// phone in the door's access group, and (when asked) an online device for the door.
/// </summary>
internal sealed record KeyScene(TestOrganization Org, string SiteId, string DoorId, string GroupId, string UserId, TestDevice? Device)
    : IAsyncDisposable
{
    public const string FirstName = "Noor";

    public static async Task<KeyScene> CreateAsync(GatehouseApp app, bool withDevice = true)
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync(timeZone: "UTC");
        var door = await org.Owner.NewDoorAsync(site.Id(), "Main entrance");
        var schedule = await org.Owner.CreateAsync("/api/v1/schedules", new
        {
            name = "Always",
            windows = new[] { new { days = AllDays, start = "00:00", end = "24:00" } },
        });
        var group = await org.Owner.NewAccessGroupAsync(schedule.Id(), [door.Id()]);
        var user = await org.Owner.CreateAsync("/api/v1/users", new
        {
            firstName = FirstName,
            lastName = "Haddad",
            email = "noor@example.com",
            phone = "+447700900123",
            accessGroupIds = new[] { group.Id() },
        });
        var device = withDevice ? await RemoteUnlockTests.OnlineDeviceAsync(org, door.Id()) : null;
        return new KeyScene(org, site.Id(), door.Id(), group.Id(), user.Id(), device);
    }

    public static readonly string[] AllDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    public HttpClient Owner => Org.Owner;

    /// <summary>Creates a key (201) with the given body fields over the defaults (by email, valid for a day).</summary>
    public async Task<JsonElement> NewKeyAsync(
        bool sendEmail = true, bool sendText = false, DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null, bool oneTimeUse = false)
    {
        var now = Org.App.Clock.GetUtcNow();
        return await Owner.CreateAsync($"/api/v1/users/{UserId}/credentials/cloud-keys", new
        {
            sendEmail,
            sendText,
            validFrom,
            validUntil = validUntil ?? now.AddDays(1),
            oneTimeUse,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Device is not null)
        {
            await Device.DisposeAsync();
        }
    }
}

internal static partial class CloudKeyTesting
{
    /// <summary>The newest captured message about the credential on the channel.</summary>
    public static async Task<ReceivedKey> ReceivedAsync(this GatehouseApp app, string credentialId, string channel = "email")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<OutboxContentProtector>();
        var id = Guid.Parse(credentialId);
        var messages = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking().Where(m => m.CredentialId == id).ToListAsync();
        var message = messages.Where(m => m.Channel == (channel == "sms" ? MessageChannel.Sms : MessageChannel.Email))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).First();
        var text = protector.Unprotect(message.ProtectedContent!).Text;
        return Parse(text, message.Subject);
    }

    public static ReceivedKey Parse(string text, string? subject = null)
    {
        var link = LinkPattern().Match(text);
        var pin = PinPattern().Match(text);
        Assert.True(link.Success, $"No Cloud Key link in the message:\n{text}");
        Assert.True(pin.Success, $"No PIN in the message:\n{text}");
        return new ReceivedKey(link.Value, link.Groups[1].Value, pin.Groups[1].Value, text, subject);
    }

    public static Task<HttpResponseMessage> UnlockAsync(this HttpClient client, string token, string doorId, string pin) =>
        client.PostAsJsonAsync($"/api/v1/public/cloud-keys/{token}/unlock", new { doorId, pin });

    /// <summary>A 6-digit PIN that is not <paramref name="pin"/>.</summary>
    public static string WrongPin(string pin) => pin == "000000" ? "000001" : "000000";

    [GeneratedRegex(@"https?://\S+/k/([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"PIN:?\s+(\d{6})")]
    private static partial Regex PinPattern();
}
