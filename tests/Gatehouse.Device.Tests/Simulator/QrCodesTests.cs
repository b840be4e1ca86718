using System.Security.Cryptography;
using Gatehouse.Core.Mobile;
using Gatehouse.Device.Hardware;

namespace Gatehouse.Device.Tests.Simulator;

public class QrCodesTests
{
    [Fact]
    public void Find_ScreenshotsOfAHundredDifferentPhoneCodes_ReadsEveryOne()
    {
        // ZXing's detector alone missed about 2 in 100 of these perfectly sharp images.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var missed = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var token = MobileToken.Create(key, Guid.NewGuid(), Guid.NewGuid(), TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(30));
            if (QrCodes.Find(QrImages.Png(token)) != token)
            {
                missed.Add(token);
            }
        }

        Assert.Empty(missed);
    }
}
