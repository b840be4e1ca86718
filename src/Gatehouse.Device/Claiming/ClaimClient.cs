using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Claiming;

/// <summary>
/// Exchanges a one-time claim code for the device's own credentials: <c>POST /api/v1/devices/claim</c> with a
/// <see cref="ClaimRequest"/>, answered by a <see cref="ClaimResponse"/> (the broker's address and the
/// device's MQTT username and password). The code and the password never reach a log.
/// </summary>
internal static class ClaimClient
{
    public const string Path = "api/v1/devices/claim";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static async Task<ClaimResponse> ClaimAsync(Uri server, string claimCode, HttpMessageHandler? handler, CancellationToken ct)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = RequestTimeout;
        var url = new Uri(server.ToString().TrimEnd('/') + "/" + Path);
        using var content = new ByteArrayContent(
            JsonSerializer.SerializeToUtf8Bytes(new ClaimRequest(claimCode, AgentVersion.Current), DeviceProtocolJson.Default.ClaimRequest));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(url, content, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ClaimException(ClaimFailure.Unreachable, $"Cannot reach the server at {server} to claim the device: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ClaimException(ClaimFailure.Unreachable, $"The server at {server} did not answer the claim within {RequestTimeout.TotalSeconds:0} s.");
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return JsonSerializer.Deserialize(body, DeviceProtocolJson.Default.ClaimResponse)
                        ?? throw new JsonException("empty answer");
                }
                catch (JsonException)
                {
                    throw new ClaimException(ClaimFailure.Unreachable, $"The server at {server} answered the claim with something that is not a claim response; is it a Gatehouse server?");
                }
            }

            var detail = ProblemDetail(body);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Conflict
                or HttpStatusCode.Gone or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity)
            {
                throw new ClaimException(
                    ClaimFailure.Refused,
                    $"The server refused the claim code ({(int)response.StatusCode}{detail}): it is mistyped, already used or expired. Ask for a new code on the Devices page.");
            }

            throw new ClaimException(ClaimFailure.Unreachable, $"The server at {server} could not take the claim ({(int)response.StatusCode}{detail}); try again.");
        }
    }

    // A problem's title or detail makes the one line more useful; it never echoes the code (the server's text).
    private static string ProblemDetail(byte[] body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            foreach (var name in (string[])["detail", "title"])
            {
                if (problem.RootElement.ValueKind == JsonValueKind.Object
                    && problem.RootElement.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String)
                {
                    return ": " + text.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return string.Empty;
    }
}

/// <summary>Why a claim failed.</summary>
internal enum ClaimFailure
{
    /// <summary>The server said no to the code.</summary>
    Refused,

    /// <summary>The server could not be reached or did not answer properly.</summary>
    Unreachable,
}

/// <summary>A failed claim, with one line for the operator.</summary>
internal sealed class ClaimException(ClaimFailure failure, string message) : Exception(message)
{
    public ClaimFailure Failure { get; } = failure;
}
