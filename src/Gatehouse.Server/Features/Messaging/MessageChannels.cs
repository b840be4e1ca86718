using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>The choice of email and/or text for a message to a user (a Cloud Key, a selfie invitation), checked against their profile.</summary>
internal static class MessageChannels
{
    /// <summary>Adds an error naming <c>sendEmail</c> or <c>sendText</c> when neither is chosen or the profile lacks the address; <paramref name="what"/> is "the key", "the invitation".</summary>
    public static void Check(Validation v, User user, bool sendEmail, bool sendText, string what)
    {
        if (!sendEmail && !sendText)
        {
            v.Add("sendEmail", $"Choose how to send {what}: by email, by text, or both.");
        }

        if (sendEmail && string.IsNullOrEmpty(user.Email))
        {
            v.Add("sendEmail", $"{user.FirstName} has no email address on their profile. Add one, or send {what} by text.");
        }

        if (sendText && string.IsNullOrEmpty(user.Phone))
        {
            v.Add("sendText", $"{user.FirstName} has no phone number on their profile. Add one, or send {what} by email.");
        }
    }
}
