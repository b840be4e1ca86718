using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>
/// Twilio's Messages API. Twilio has no idempotency key for sending, so a retry after an uncertain send (a
/// timeout after the request left) may deliver twice; only transport failures and 429/5xx answers are retried.
/// </summary>
internal sealed class TwilioSmsSender(IHttpClientFactory http, IOptions<SmsOptions> options) : ISmsSender
{
    public const string HttpClientName = "twilio";

    public async Task<SendResult> SendAsync(OutgoingText text, CancellationToken ct)
    {
        var twilio = options.Value.Twilio;
        var client = new TwilioRestClient(twilio.AccountSid, twilio.AuthToken, httpClient: new SystemNetHttpClient(http.CreateClient(HttpClientName)));
        var create = new CreateMessageOptions(new PhoneNumber(text.To)) { Body = text.Text };
        if (!string.IsNullOrWhiteSpace(twilio.MessagingServiceSid))
        {
            create.MessagingServiceSid = twilio.MessagingServiceSid;
        }
        else
        {
            create.From = new PhoneNumber(twilio.From);
        }

        try
        {
            var sent = await MessageResource.CreateAsync(create, client).WaitAsync(ct);
            return SendResult.Sent(sent.Sid);
        }
        catch (ApiException e) when (e.Status is >= 400 and < 500 and not 429 and not 408)
        {
            return SendResult.Refused($"Twilio refused the message: {e.Status} (error {e.Code}) {e.Message}");
        }
        catch (ApiException e)
        {
            return SendResult.Retry($"Twilio answered {e.Status} (error {e.Code}) {e.Message}");
        }
        catch (Exception e) when (e is ApiConnectionException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return SendResult.Retry($"Twilio could not be reached: {e.Message}");
        }
    }
}

/// <summary>
/// Points Twilio's client at <see cref="TwilioOptions.BaseUrl"/>: the library builds absolute URLs to its own hosts
/// and has no setting for another one.
/// </summary>
internal sealed class BaseUrlHandler(Uri baseUrl) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = baseUrl.Scheme, Host = baseUrl.Host, Port = baseUrl.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Any SMS gateway behind a small web service: POSTs <c>{to, text, messageId}</c> with <c>Idempotency-Key</c> (the
/// outbox ID, the same on every retry) and <c>X-Gatehouse-Signature: sha256=HEX</c>, an HMAC-SHA256 of the body.
/// </summary>
internal sealed class WebhookSmsSender(IHttpClientFactory http, IOptions<SmsOptions> options) : ISmsSender
{
    public const string HttpClientName = "sms-webhook";
    public const string SignatureHeader = "X-Gatehouse-Signature";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SendResult> SendAsync(OutgoingText text, CancellationToken ct)
    {
        var webhook = options.Value.Webhook;
        var body = JsonSerializer.SerializeToUtf8Bytes(new { to = text.To, text = text.Text, messageId = text.Id }, Json);
        using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", text.Id.ToString());
        request.Headers.Add(SignatureHeader, Sign(body, webhook.Secret!));
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                return SendResult.Sent(null);
            }

            var status = (int)response.StatusCode;
            var reason = $"The SMS webhook answered {status} {response.ReasonPhrase}";
            return status is >= 400 and < 500 and not 408 and not 429 && response.StatusCode != HttpStatusCode.Conflict
                ? SendResult.Refused(reason)
                : SendResult.Retry(reason);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return SendResult.Retry($"The SMS webhook could not be reached: {e.Message}");
        }
    }

    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
