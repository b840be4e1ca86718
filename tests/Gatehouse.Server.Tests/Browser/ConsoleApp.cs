using System.Net;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// The real server on Kestrel at a loopback port (over a fresh SQLite store, like <see cref="GatehouseApp"/>)
/// and a headless Chromium to drive the admin console with. One per test class:
/// <c>IClassFixture&lt;ConsoleApp&gt;</c>. Each test makes its own organization and opens its own
/// <see cref="BrowserSession"/> (a fresh browser context: its own cookies).
/// </summary>
public class ConsoleApp : GatehouseApp
{
    /// <summary>Debian's Chromium; the test script installs it.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly SemaphoreSlim _launch = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly Dictionary<string, IBrowser> _cameraBrowsers = [];

    public ConsoleApp()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>Where the console is served, such as <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl =>
        Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    /// <summary>Where screenshots are kept: <c>artifacts/screenshots</c> at the repository's root.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    /// <summary>The console sending email for real, to a <see cref="TestSmtpServer"/>.</summary>
    public class WithSmtp : ConsoleApp
    {
        public TestSmtpServer Smtp { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            Smtp = await TestSmtpServer.CreateAsync();
            await base.InitializeAsync();
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder)
        {
            base.ConfigureTestServices(builder);
            builder.UseSetting("Gatehouse:Email:From", "gatehouse@gatehouse.test");
            builder.UseSetting("Gatehouse:Email:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Gatehouse:Email:Smtp:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Gatehouse:Email:Smtp:Security", "None");
            builder.UseSetting("Gatehouse:Outbox:PollInterval", "00:00:00.100");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Smtp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// A fresh browser context (no cookies) with a page of the given size; with <paramref name="camera"/> (a
    /// <c>.y4m</c> from <see cref="FakeCamera"/>) the page's camera shows that video and needs no permission prompt.
    /// </summary>
    public async Task<BrowserSession> OpenAsync(int width = 1280, int height = 800, string? camera = null)
    {
        var browser = camera is null ? await BrowserAsync() : await CameraBrowserAsync(camera);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
            Permissions = camera is null ? null : ["camera"],
        });
        context.SetDefaultTimeout(20_000);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    /// <summary>Opens a browser and signs in through the sign-in page; lands on the overview.</summary>
    public async Task<BrowserSession> SignInAsync(string email, string password, int width = 1280, int height = 800, string? camera = null)
    {
        var session = await OpenAsync(width, height, camera);
        await session.Page.GotoAsync("/account/sign-in");
        await session.Page.GetByLabel("Email").FillAsync(email);
        await session.Page.GetByLabel("Password").FillAsync(password);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await session.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        return session;
    }

    /// <summary>Signs in as the organization's owner.</summary>
    public Task<BrowserSession> SignInAsync(TestOrganization org, int width = 1280, int height = 800, string? camera = null) =>
        SignInAsync(org.OwnerEmail, OwnerPassword, width, height, camera);

    /// <summary>
    /// Adds an administrator with the role (viewer, admin, owner) to the organization, straight into the
    /// store, and returns their email; the password is <see cref="GatehouseApp.OwnerPassword"/>.
    /// </summary>
    public async Task<string> AddAdminAsync(TestOrganization org, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com";
        await using var scope = Services.CreateAsyncScope();
        var organizationId = Guid.Parse(org.Id);
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        var admin = new Admin
        {
            OrganizationId = organizationId,
            Email = email,
            Role = role switch { "owner" => AdminRole.Owner, "admin" => AdminRole.Admin, _ => AdminRole.Viewer },
            CreatedAt = Clock.GetUtcNow(),
        };
        admin.PasswordHash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<Admin>>().HashPassword(admin, OwnerPassword);
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        db.Admins.Add(admin);
        await db.SaveChangesAsync();
        return email;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // WebApplicationFactory's disposal calls this; the browser goes with the server.
            _browser?.CloseAsync().GetAwaiter().GetResult();
            foreach (var browser in _cameraBrowsers.Values)
            {
                browser.CloseAsync().GetAwaiter().GetResult();
            }

            _playwright?.Dispose();
            _launch.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task<IBrowser> BrowserAsync()
    {
        await _launch.WaitAsync();
        try
        {
            if (_browser is null)
            {
                StartServer();
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumPath,
                    Headless = true,
                    Args = ChromiumArgs,
                });
            }

            return _browser;
        }
        finally
        {
            _launch.Release();
        }
    }

    // Chromium takes its fake camera's file at launch: one browser per video.
    private async Task<IBrowser> CameraBrowserAsync(string camera)
    {
        await BrowserAsync();
        await _launch.WaitAsync();
        try
        {
            if (!_cameraBrowsers.TryGetValue(camera, out var browser))
            {
                browser = await _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumPath,
                    Headless = true,
                    Args =
                    [
                        .. ChromiumArgs, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                        $"--use-file-for-fake-video-capture={camera}",
                    ],
                });
                _cameraBrowsers[camera] = browser;
            }

            return browser;
        }
        finally
        {
            _launch.Release();
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

/// <summary>
/// One browser context and its page. Collects what a person would not see but a test should: script
/// errors, Content-Security-Policy violations and server errors, in <see cref="Problems"/>.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];

    public BrowserSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                Record($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => Record($"script error: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 500)
            {
                Record($"{response.Status} from {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Script errors, policy violations and 5xx responses seen so far.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Follows an item of the main menu (Doors, Schedules, Settings …).</summary>
    public async Task MenuAsync(string item)
    {
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })
            .GetByRole(AriaRole.Link, new() { Name = item, Exact = true }).ClickAsync();
        await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.Equals("/", StringComparison.Ordinal) || item == "Overview");
    }

    /// <summary>Requests with the session's cookies, outside the page (for crafted posts).</summary>
    public IAPIRequestContext Request => _context.APIRequest;

    /// <summary>Saves a full-page screenshot as <c>artifacts/screenshots/NAME.png</c>.</summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ConsoleApp.ScreenshotDirectory);

        // From the top, so the sticky bar is drawn where a person sees it.
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(ConsoleApp.ScreenshotDirectory, name + ".png"),
            FullPage = true,
            Animations = ScreenshotAnimations.Disabled,
        });
    }

    /// <summary>Fails the test when the page had script errors, policy violations or server errors.</summary>
    public void AssertNoProblems() => Assert.True(Problems.Count == 0, "The page had problems:\n" + string.Join('\n', Problems));

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private void Record(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
