using System.Text.Json;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Tests.Api;

/// <summary>
/// Field paths inside nested bodies, with the server's own JSON settings. (The end-to-end tests of
/// each feature cover the bodies they accept.)
/// </summary>
public sealed class BadRequestHandlerTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Theory]
    [InlineData("""{"name": "x", "windows": [{"days": ["Monday"], "start": 800, "end": "18:00"}]}""", "windows[0].start")]
    [InlineData("""{"name": "x", "windows": [{"days": ["Monday"], "start": "08:00", "end": "18:00"}, {"days": "Monday"}]}""", "windows[1].days")]
    [InlineData("""{"name": "x", "windows": [{"days": ["Monday"], "start": "08:00", "end": "18:00", "colour": "red"}]}""", "windows[0].colour")]
    [InlineData("""{"name": "x", "owner": "me"}""", "owner")]
    [InlineData("""{"name": 5}""", "name")]
    [InlineData("""{"name": "x", "windows": [""", "body")]
    public async Task BodyThatCannotBeRead_IsNamedByItsPath(string body, string field)
    {
        var options = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var json = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Probe>(body, options));
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Response.Body = new MemoryStream();
        var handler = ActivatorUtilities.CreateInstance<BadRequestHandler>(app.Services);

        var handled = await handler.TryHandleAsync(context, new BadHttpRequestException("Failed to read parameter.", json), CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"'{field}' not named in {problem.RootElement.GetRawText()}");
    }

    internal sealed record Probe(string Name, IReadOnlyList<ProbeWindow>? Windows);

    internal sealed record ProbeWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeOnly End);
}
