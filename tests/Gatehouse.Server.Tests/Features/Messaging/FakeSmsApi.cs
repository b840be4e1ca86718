using Gatehouse.Server.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Features.Messaging;

/// <summary>A request the fake SMS API received: its path, headers, form or body.</summary>
public sealed record SmsRequest(string Path, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Form, string Body);

/// <summary>
/// A local stand-in for an SMS provider's HTTP API, on Kestrel at a loopback port: Twilio's
/// <c>POST /2010-04-01/Accounts/{sid}/Messages.json</c> (a form, answered with a message resource) and a
/// webhook at <c>POST /sms</c>. The provider's own cloud cannot be reached from here, so this is the boundary.
/// </summary>
public sealed class FakeSmsApi : IAsyncDisposable
{
    private readonly ConcurrentQueue<SmsRequest> _requests = new();
    private readonly WebApplication _app;

    private FakeSmsApi(WebApplication app, int port)
    {
        _app = app;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public IReadOnlyList<SmsRequest> Requests => [.. _requests];

    public static async Task<FakeSmsApi> StartAsync()
    {
        var port = TestBroker.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new FakeSmsApi(app, port);
        app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", async (string sid, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            api._requests.Enqueue(new SmsRequest(request.Path, Headers(request), form.ToDictionary(f => f.Key, f => f.Value.ToString()), ""));
            var message = new Dictionary<string, object?>
            {
                ["sid"] = "SM" + Guid.NewGuid().ToString("N"),
                ["account_sid"] = sid,
                ["to"] = form["To"].ToString(),
                ["from"] = form["From"].ToString(),
                ["body"] = form["Body"].ToString(),
                ["status"] = "queued",
            };
            return Results.Json(message, statusCode: StatusCodes.Status201Created);
        });
        app.MapPost("/sms", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            api._requests.Enqueue(new SmsRequest(request.Path, Headers(request), new Dictionary<string, string>(), await reader.ReadToEndAsync()));
            return Results.Accepted();
        });
        await app.StartAsync();
        return api;
    }

    public async Task<SmsRequest> WaitForAsync()
    {
        for (var i = 0; i < 400; i++)
        {
            if (_requests.TryPeek(out var request))
            {
                return request;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("No request reached the fake SMS API.");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static Dictionary<string, string> Headers(HttpRequest request) =>
        request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

}
