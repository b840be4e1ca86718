using SkiaSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Gatehouse.Device.Hardware;

/// <summary>
/// Finds a QR code in a camera frame. The frame is decoded straight to 8-bit grey (a JPEG's luma plane, with no
/// colour conversion), which ZXing reads as its luminance; so a frame without a code costs one grey decode and one
/// pass of ZXing's finder-pattern search, and nothing of the face pipeline.
/// </summary>
internal static class QrCodes
{
    /// <summary>The largest frame scanned, as the face library bounds a frame: the declared size is checked before any pixel is allocated.</summary>
    public const int MaxPixels = 40_000_000;

    private static readonly Dictionary<DecodeHintType, object> Hints = new()
    {
        [DecodeHintType.POSSIBLE_FORMATS] = new List<BarcodeFormat> { BarcodeFormat.QR_CODE },
        [DecodeHintType.CHARACTER_SET] = "UTF-8",
    };

    private static readonly Dictionary<DecodeHintType, object> PureHints = new(Hints) { [DecodeHintType.PURE_BARCODE] = true };

    /// <summary>The text of the QR code in <paramref name="image"/> (a JPEG, PNG or WebP), or null when there is none or the image cannot be read.</summary>
    public static string? Find(ReadOnlySpan<byte> image) =>
        Decode(image) is { } grey ? Find(grey) : null;

    /// <summary>The text of the QR code in a grey image, or null.</summary>
    public static string? Find(GreyImage grey)
    {
        ArgumentNullException.ThrowIfNull(grey);
        var bitmap = new BinaryBitmap(new HybridBinarizer(new GreyLuminance(grey)));
        var reader = new QRCodeReader();

        // ZXing's detector misses about 2 in 100 perfectly sharp codes (a screenshot of the app's code), which it
        // reads at once when told the image is the code alone; that second try is cheap (it samples the one
        // square between the outermost dark pixels) and fails fast on a camera scene.
        return reader.decode(bitmap, Hints)?.Text ?? reader.decode(bitmap, PureHints)?.Text;
    }

    /// <summary>Decodes a JPEG, PNG or WebP to 8-bit grey; null when it is none of those, or larger than <see cref="MaxPixels"/>.</summary>
    public static GreyImage? Decode(ReadOnlySpan<byte> image)
    {
        if (image.IsEmpty)
        {
            return null;
        }

        using var data = SKData.CreateCopy(image);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp))
        {
            return null;
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
        {
            return null;
        }

        var pixels = new byte[width * height];
        var grey = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        if (Succeeded(codec.GetPixels(grey, pixels)))
        {
            return new GreyImage(pixels, width, height);
        }

        // An image with transparency (a PNG screenshot) is not decoded to grey directly: decode the colours and
        // put them over white, as a screen shows them.
        var rgba = new byte[width * height * 4];
        if (!Succeeded(codec.GetPixels(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), rgba)))
        {
            return null;
        }

        for (var i = 0; i < pixels.Length; i++)
        {
            var p = i * 4;
            var luma = (rgba[p] * 77 + rgba[p + 1] * 150 + rgba[p + 2] * 29) >> 8;
            var alpha = rgba[p + 3];
            pixels[i] = (byte)((luma * alpha + 255 * (255 - alpha)) / 255);
        }

        return new GreyImage(pixels, width, height);
    }

    private static bool Succeeded(SKCodecResult result) => result is SKCodecResult.Success or SKCodecResult.IncompleteInput;

    private sealed class GreyLuminance(GreyImage image) : LuminanceSource(image.Width, image.Height)
    {
        public override byte[] Matrix => image.Pixels;

        public override byte[] getRow(int y, byte[] row)
        {
            if (row is null || row.Length < Width)
            {
                row = new byte[Width];
            }

            Array.Copy(image.Pixels, y * Width, row, 0, Width);
            return row;
        }
    }
}

/// <summary>An 8-bit grey image, row by row.</summary>
internal sealed record GreyImage(byte[] Pixels, int Width, int Height);
