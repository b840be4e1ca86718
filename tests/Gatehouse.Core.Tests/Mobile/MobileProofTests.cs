using System.Security.Cryptography;
using Gatehouse.Core.Mobile;

namespace Gatehouse.Core.Tests.Mobile;

public sealed class MobileProofTests : IDisposable
{
    private static readonly Guid Credential = Guid.Parse("0195f0a0-0000-7000-8000-0000000000c1");
    private static readonly Guid Door = Guid.Parse("0195f0a0-0000-7000-8000-0000000000d1");
    private readonly ECDsa _phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _phone.Dispose();

    private byte[] PublicKey => MobileKeys.Export(_phone);

    [Fact]
    public void Message_NamesPurposeCredentialChallengeAndDoor()
    {
        Assert.Equal(
            "gatehouse:unlock:0195f0a0-0000-7000-8000-0000000000c1:abc:0195f0a0-0000-7000-8000-0000000000d1",
            MobileProof.Message(MobileProofPurpose.Unlock, Credential, "abc", Door));
        Assert.Equal("gatehouse:doors:0195f0a0-0000-7000-8000-0000000000c1:abc", MobileProof.Message(MobileProofPurpose.Doors, Credential, "abc"));
    }

    [Fact]
    public void Verify_PhoneSignature_IsAccepted()
    {
        var message = MobileProof.Message(MobileProofPurpose.Unlock, Credential, "challenge-1", Door);

        Assert.True(MobileProof.Verify(PublicKey, message, MobileProof.Sign(_phone, message)));
    }

    [Fact]
    public void Verify_SignatureOfAnotherKey_IsRefused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var message = MobileProof.Message(MobileProofPurpose.Doors, Credential, "challenge-1");

        Assert.False(MobileProof.Verify(PublicKey, message, MobileProof.Sign(other, message)));
    }

    [Fact]
    public void Verify_SignatureForTheDoorListOrAnotherDoor_DoesNotOpenTheDoor()
    {
        var forList = MobileProof.Sign(_phone, MobileProof.Message(MobileProofPurpose.Doors, Credential, "challenge-1"));
        var forOtherDoor = MobileProof.Sign(_phone, MobileProof.Message(MobileProofPurpose.Unlock, Credential, "challenge-1", Guid.NewGuid()));
        var unlock = MobileProof.Message(MobileProofPurpose.Unlock, Credential, "challenge-1", Door);

        Assert.False(MobileProof.Verify(PublicKey, unlock, forList));
        Assert.False(MobileProof.Verify(PublicKey, unlock, forOtherDoor));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64url!")]
    [InlineData("AAAA")]
    public void Verify_MalformedSignature_IsRefused(string? signature)
    {
        var message = MobileProof.Message(MobileProofPurpose.Doors, Credential, "challenge-1");

        Assert.False(MobileProof.Verify(PublicKey, message, signature));
    }

    [Fact]
    public void Verify_SignatureOfTheRightLengthWithCharactersOutsideBase64Url_IsRefusedNotThrown()
    {
        var message = MobileProof.Message(MobileProofPurpose.Doors, Credential, "challenge-1");
        var signature = MobileProof.Sign(_phone, message);

        Assert.False(MobileProof.Verify(PublicKey, message, "!" + signature[1..]));
        Assert.False(MobileProof.Verify(PublicKey, message, signature[..40] + " " + signature[41..]));
    }

    [Fact]
    public void Verify_DerSignatureOrZeros_IsRefused()
    {
        var message = MobileProof.Message(MobileProofPurpose.Doors, Credential, "challenge-1");
        var der = _phone.SignData(System.Text.Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        Assert.False(MobileProof.Verify(PublicKey, message, System.Buffers.Text.Base64Url.EncodeToString(der)));
        Assert.False(MobileProof.Verify(PublicKey, message, System.Buffers.Text.Base64Url.EncodeToString(new byte[64])));
    }

    [Fact]
    public void Verify_KeyThatIsNotAPoint_IsRefusedNotThrown()
    {
        var message = MobileProof.Message(MobileProofPurpose.Doors, Credential, "challenge-1");

        Assert.False(MobileProof.Verify(new byte[65], message, MobileProof.Sign(_phone, message)));
    }
}
