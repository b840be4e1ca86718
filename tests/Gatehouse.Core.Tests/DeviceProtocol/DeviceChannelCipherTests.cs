using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Core.Tests.DeviceProtocol;

public sealed class DeviceChannelCipherTests
{
    private static readonly Guid Device = Guid.Parse("0195f0a0-0000-7000-8000-000000000001");
    private static readonly Guid Enrollment = Guid.Parse("0195f0a0-0000-7000-8000-000000000002");

    [Fact]
    public void Open_SealedByTheDevice_TheServerReadsItFromThePasswordsHash()
    {
        const string password = "x2Jc9-device-password";
        var deviceKey = FaceTemplateSeal.DeriveKeyFromPassword(password, Device);
        var serverKey = FaceTemplateSeal.DeriveKey(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password))), Device);
        var context = EnrollmentCapturedReply.FaceContext(Enrollment);

        var sealedFace = DeviceChannelCipher.Seal(deviceKey, "a face"u8, context);

        Assert.Equal("a face"u8.ToArray(), DeviceChannelCipher.TryOpen(serverKey, sealedFace, context));
    }

    [Fact]
    public void Open_AnotherDevicesKeyAnotherEnrollmentOrAlteredBytes_IsNull()
    {
        var key = FaceTemplateSeal.DeriveKeyFromPassword("p", Device);
        var context = EnrollmentCapturedReply.FaceContext(Enrollment);
        var sealedFace = DeviceChannelCipher.Seal(key, "a face"u8, context);
        var altered = (byte[])sealedFace.Clone();
        altered[20] ^= 1;

        Assert.Null(DeviceChannelCipher.TryOpen(FaceTemplateSeal.DeriveKeyFromPassword("p", Guid.NewGuid()), sealedFace, context));
        Assert.Null(DeviceChannelCipher.TryOpen(key, sealedFace, EnrollmentCapturedReply.FaceContext(Guid.NewGuid())));
        Assert.Null(DeviceChannelCipher.TryOpen(key, altered, context));
        Assert.Null(DeviceChannelCipher.TryOpen(key, [1, 2, 3], context));
    }
}
