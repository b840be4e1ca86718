using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>
/// Sends each email over its own SMTP connection (messages are few; a pooled connection would only add states to
/// get wrong). The Message-ID is derived from the outbox message, so a retry after an uncertain send (the
/// connection dropped after DATA) carries the same ID and receivers can drop the duplicate.
/// </summary>
internal sealed class SmtpEmailSender(IOptions<SmtpOptions> smtp, IOptions<EmailOptions> email) : IEmailSender
{
    public async Task<SendResult> SendAsync(OutgoingEmail outgoing, CancellationToken ct)
    {
        var options = smtp.Value;
        var message = Build(outgoing, email.Value.From);
        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, SocketOptions(options.Security), ct);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? "", ct);
            }

            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
            return SendResult.Sent(message.MessageId);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
        {
            return SendResult.Refused($"The mail server refused the message: {(int)e.StatusCode} {Trim(e.Message)}");
        }
        catch (SmtpCommandException e)
        {
            // 4xx is "try later" by definition; a 5xx about the sender is the relay's configuration, which an operator can fix.
            return SendResult.Retry($"The mail server answered {(int)e.StatusCode} {Trim(e.Message)}");
        }
        catch (AuthenticationException)
        {
            return SendResult.Retry("The mail server did not accept the configured username and password.");
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException or SmtpProtocolException or SslHandshakeException
                                       or ServiceNotConnectedException or ServiceNotAuthenticatedException
                                       or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return SendResult.Retry($"The mail server {options.Host}:{options.Port} could not be reached: {Trim(e.Message)}");
        }
    }

    public static MimeMessage Build(OutgoingEmail outgoing, string from)
    {
        var sender = MailboxAddress.Parse(from);
        sender.Name = outgoing.SenderName;
        var message = new MimeMessage { Subject = outgoing.Subject };
        message.From.Add(sender);
        message.To.Add(MailboxAddress.Parse(outgoing.To));
        var domain = sender.Address[(sender.Address.LastIndexOf('@') + 1)..];
        message.MessageId = $"{outgoing.Id:N}@{domain}";
        var body = new BodyBuilder { TextBody = outgoing.Content.Text, HtmlBody = outgoing.Content.Html };
        foreach (var image in outgoing.Content.Images ?? [])
        {
            var part = body.LinkedResources.Add(image.ContentId, image.Data, ContentType.Parse(image.MediaType));
            part.ContentId = image.ContentId;
        }

        message.Body = body.ToMessageBody();
        return message;
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    private static string Trim(string text) => text.Length > 300 ? text[..300] : text;
}
