using System.Runtime.InteropServices;
using Gatehouse.Faces;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// Encrypts face templates and thumbnails at rest with ASP.NET Core Data Protection under purposes of their own,
/// so neither can be read with a key derived for another purpose (cookies, outbox bodies). The key ring is the one
/// the server already manages and rotates; old keys stay to decrypt what they protected (see docs/face.md).
/// </summary>
internal sealed class FaceProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _templates = provider.CreateProtector("Gatehouse.Faces.Template.v1");
    private readonly IDataProtector _thumbnails = provider.CreateProtector("Gatehouse.Faces.Thumbnail.v1");

    public byte[] ProtectTemplate(FaceTemplate template) =>
        _templates.Protect(MemoryMarshal.AsBytes(template.Vector.AsSpan()).ToArray());

    public FaceTemplate UnprotectTemplate(string model, byte[] protectedTemplate) =>
        new(model, MemoryMarshal.Cast<byte, float>(_templates.Unprotect(protectedTemplate)).ToArray());

    public byte[] ProtectThumbnail(byte[] jpeg) => _thumbnails.Protect(jpeg);

    public byte[] UnprotectThumbnail(byte[] protectedThumbnail) => _thumbnails.Unprotect(protectedThumbnail);
}
