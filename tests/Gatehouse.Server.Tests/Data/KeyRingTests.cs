using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Features.Devices.Gateway;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Server.Tests.Data;

/// <summary>The data-protection key ring in the store: shared by every server, and taken over from the key files of an existing install.</summary>
public sealed partial class KeyRingTests
{
    [Fact]
    public async Task SecondServer_OverTheSameStore_ReadsTheFirstServersCookieFormAndOutboxMessage()
    {
        var first = new GatehouseApp();
        await ((IAsyncLifetime)first).InitializeAsync();
        var second = new OtherServerApp(first);
        try
        {
            await ((IAsyncLifetime)second).InitializeAsync();
            Assert.NotEqual(
                first.Services.GetRequiredService<IHostEnvironment>().ContentRootPath,
                second.Services.GetRequiredService<IHostEnvironment>().ContentRootPath);

            // Signed in to the console through the first server: the second opens the overview with the same cookie.
            var signedIn = await ConsoleCookie.SignInAsync(first, GatehouseApp.SystemAdminEmail, GatehouseApp.SystemAdminPassword);
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
            {
                request.Headers.Add("Cookie", signedIn.Value);
                var page = await Client(second).SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }

            // The sign-in form served by the first server is accepted by the second (a load balancer's next pick).
            var form = await Client(first).GetAsync("/account/sign-in");
            var token = AntiforgeryField().Match(await form.Content.ReadAsStringAsync()).Groups["token"].Value;
            var antiforgery = form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("gatehouse.antiforgery", StringComparison.Ordinal));
            using (var post = new HttpRequestMessage(HttpMethod.Post, "/account/sign-in"))
            {
                post.Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["_handler"] = "sign-in",
                    ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                    ["Input.Email"] = GatehouseApp.SystemAdminEmail,
                    ["Input.Password"] = GatehouseApp.SystemAdminPassword,
                });
                post.Headers.Add("Cookie", antiforgery);
                var answer = await Client(second).SendAsync(post);
                Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            }

            // A message body queued by one server is sent by whichever server's dispatcher picks it up.
            var body = first.Services.GetRequiredService<OutboxContentProtector>().Protect(new MessageContent("Your door PIN is 4711"));
            Assert.Equal("Your door PIN is 4711", second.Services.GetRequiredService<OutboxContentProtector>().Unprotect(body).Text);
        }
        finally
        {
            await ((IAsyncLifetime)second).DisposeAsync();
            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }

    [Fact]
    public async Task Upgrade_FromKeyFiles_StillOpensWhatTheyProtected_AndImportsThemOnce()
    {
        var old = new FileKeysApp();
        await ((IAsyncLifetime)old).InitializeAsync();
        old.KeepStoreOnDispose = true;
        var body = old.Services.GetRequiredService<OutboxContentProtector>().Protect(new MessageContent("Your door PIN is 4711"));
        var cookie = await ConsoleCookie.SignInAsync(old, GatehouseApp.SystemAdminEmail, GatehouseApp.SystemAdminPassword);
        Assert.Equal(0, await KeysInStoreAsync(old));
        await ((IAsyncLifetime)old).DisposeAsync();
        var keyFiles = Directory.GetFiles(Path.Combine(old.DataDirectory, "keys"), "*.xml");
        Assert.NotEmpty(keyFiles);

        var upgraded = new UpgradedApp(old);
        await ((IAsyncLifetime)upgraded).InitializeAsync();
        upgraded.KeepStoreOnDispose = true;
        try
        {
            Assert.Equal("Your door PIN is 4711", upgraded.Services.GetRequiredService<OutboxContentProtector>().Unprotect(body).Text);
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
            {
                request.Headers.Add("Cookie", cookie.Value);
                Assert.Equal(HttpStatusCode.OK, (await Client(upgraded).SendAsync(request)).StatusCode);
            }

            Assert.Equal(keyFiles.Length, await KeysInStoreAsync(upgraded));
            Assert.All(keyFiles, f => Assert.True(File.Exists(f), "The key files stay where they were."));

            var imported = Assert.Single(upgraded.Logs.Lines, l => l.Message.Contains("key ring into the store", StringComparison.Ordinal));
            Assert.DoesNotContain("masterKey", imported.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"{keyFiles.Length} key file", imported.Message, StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)upgraded).DisposeAsync();
        }

        // Started again with the files still there: nothing is imported twice, and the old body still opens.
        var again = new UpgradedApp(upgraded);
        await ((IAsyncLifetime)again).InitializeAsync();
        try
        {
            Assert.Equal(keyFiles.Length, await KeysInStoreAsync(again));
            Assert.DoesNotContain(again.Logs.Lines, l => l.Message.Contains("key ring into the store", StringComparison.Ordinal));
            Assert.Equal("Your door PIN is 4711", again.Services.GetRequiredService<OutboxContentProtector>().Unprotect(body).Text);
        }
        finally
        {
            await ((IAsyncLifetime)again).DisposeAsync();
        }
    }

    private static HttpClient Client(GatehouseApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<int> KeysInStoreAsync(GatehouseApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().DataProtectionKeys.CountAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>A second server: its own content root (and, on PostgreSQL, its own data directory), the same store.</summary>
    private sealed class OtherServerApp(GatehouseApp first) : GatehouseApp(first, ownDataDirectory: true)
    {
        private readonly string _contentRoot = Directory.CreateTempSubdirectory("gatehouse-content-").FullName;

        public override async Task InitializeAsync()
        {
            // The first server owns the store and drops it; this one only leaves.
            KeepStoreOnDispose = true;
            await base.InitializeAsync();
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseContentRoot(_contentRoot);
    }

    /// <summary>
    /// The server as it kept its keys before: XML files in <c>{DataDirectory}/keys</c>, and payloads bound to its
    /// content root, the framework's default application name.
    /// </summary>
    private sealed class FileKeysApp : GatehouseApp
    {
        protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.ConfigureServices(services =>
        {
            services.AddOptions<KeyManagementOptions>().PostConfigure(o => o.XmlRepository =
                new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(DataDirectory, "keys")), NullLoggerFactory.Instance));
            services.AddOptions<DataProtectionOptions>().PostConfigure<IServiceProvider>((o, sp) =>
                o.ApplicationDiscriminator = sp.GetApplicationUniqueIdentifier());
        });
    }

    /// <summary>The server of today started over <paramref name="previous"/>'s store and data directory.</summary>
    private sealed class UpgradedApp(GatehouseApp previous) : GatehouseApp(previous)
    {
        public LogSink Logs { get; } = new();

        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
    }
}
