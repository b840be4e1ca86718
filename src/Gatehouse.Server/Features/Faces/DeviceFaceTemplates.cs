using System.Security.Cryptography;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// The face templates devices get: only those of the engine's current model (a template of another model means
/// nothing to a device running this one), opened from their at-rest protection for sealing per device. Without a
/// face engine the server knows no current model and devices get no templates.
/// </summary>
internal sealed partial class DeviceFaceTemplates(FaceEngineHost engine, FaceProtector protector, ILogger<DeviceFaceTemplates> logger)
{
    /// <summary>The model whose templates are sent, or null when none are.</summary>
    public string? CurrentModel => engine.Model;

    /// <summary>The template's vector, or null (logged) when it cannot be opened, e.g. a key ring that lost its key.</summary>
    public float[]? Open(Guid credentialId, string model, byte[] protectedTemplate)
    {
        try
        {
            return protector.UnprotectTemplate(model, protectedTemplate).Vector;
        }
        catch (CryptographicException)
        {
            LogUnreadable(logger, credentialId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The template of face credential {CredentialId} cannot be opened; devices do not get it")]
    private static partial void LogUnreadable(ILogger logger, Guid credentialId);
}
