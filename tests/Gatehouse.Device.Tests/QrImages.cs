using SkiaSharp;
using ZXing;
using ZXing.QrCode;

namespace Gatehouse.Device.Tests;

/// <summary>QR codes drawn as a phone's screen shows them, for the camera tests.</summary>
internal static class QrImages
{
    /// <summary>A PNG of <paramref name="text"/>'s QR code, <paramref name="size"/> pixels square with its quiet zone.</summary>
    public static byte[] Png(string text, int size = 400)
    {
        using var bitmap = Draw(text, size);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>
    /// A JPEG camera frame, <paramref name="width"/> × <paramref name="height"/>, of a grey scene with a phone's
    /// screen showing the QR code of <paramref name="text"/> (none when null) off-centre.
    /// </summary>
    public static byte[] Frame(string? text, int width = 1280, int height = 720, int quality = 85)
    {
        using var frame = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(frame))
        {
            canvas.Clear(new SKColor(96, 104, 112));
            using var shade = new SKPaint { Color = new SKColor(60, 62, 70) };
            canvas.DrawRect(0, height * 2 / 3, width, height / 3, shade);
            using var phone = new SKPaint { Color = new SKColor(20, 20, 24) };
            canvas.DrawRoundRect(new SKRect(width * 0.55f, height * 0.12f, width * 0.55f + 300, height * 0.12f + 500), 24, 24, phone);
            if (text is not null)
            {
                using var bitmap = Draw(text, 260);
                using var code = SKImage.FromBitmap(bitmap);
                canvas.DrawImage(code, width * 0.55f + 20, height * 0.12f + 120, new SKSamplingOptions(SKFilterMode.Nearest));
            }
        }

        using var data = frame.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    private static SKBitmap Draw(string text, int size)
    {
        var matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, new Dictionary<EncodeHintType, object> { [EncodeHintType.MARGIN] = 4 });
        var bitmap = new SKBitmap(matrix.Width, matrix.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (var y = 0; y < matrix.Height; y++)
        {
            for (var x = 0; x < matrix.Width; x++)
            {
                bitmap.SetPixel(x, y, matrix[x, y] ? SKColors.Black : SKColors.White);
            }
        }

        return bitmap;
    }
}
