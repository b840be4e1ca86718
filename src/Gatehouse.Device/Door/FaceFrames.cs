using SkiaSharp;

namespace Gatehouse.Device.Door;

/// <summary>
/// Fits a camera frame into one MQTT message: a frame at most <c>maxBytes</c> is sent as it is; a larger one is
/// turned upright and re-encoded as JPEG, first at lower quality and then smaller (by quarters, never below 640 px on
/// the long side, so the face keeps the pixels the server's size check wants).
/// </summary>
internal static class FaceFrames
{
    private const int MinLongSide = 640;
    private static readonly int[] Qualities = [90, 80, 70];

    /// <summary>The frame to send; null when it cannot be decoded or made small enough.</summary>
    public static byte[]? Fit(ReadOnlyMemory<byte> image, int maxBytes)
    {
        if (image.Length <= maxBytes)
        {
            return image.ToArray();
        }

        using var data = SKData.CreateCopy(image.Span);
        using var codec = SKCodec.Create(data);
        using var decoded = codec is null ? null : SKBitmap.Decode(codec);
        if (decoded is null)
        {
            return null;
        }

        using var upright = Upright(decoded, codec!.EncodedOrigin);
        var scale = 1f;
        while (true)
        {
            var width = Math.Max(1, (int)(upright.Width * scale));
            var height = Math.Max(1, (int)(upright.Height * scale));
            using var sized = scale == 1f ? upright.Copy() : upright.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKCubicResampler.Mitchell));
            foreach (var quality in Qualities)
            {
                using var encoded = sized.Encode(SKEncodedImageFormat.Jpeg, quality);
                if (encoded.Size <= maxBytes)
                {
                    return encoded.ToArray();
                }
            }

            if (Math.Max(width, height) * 0.75f < MinLongSide)
            {
                return null;
            }

            scale *= 0.75f;
        }
    }

    /// <summary>The bitmap as the camera's EXIF orientation says it stands (rotations; a mirrored frame stays as it is).</summary>
    private static SKBitmap Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        var degrees = origin switch
        {
            SKEncodedOrigin.RightTop => 90,
            SKEncodedOrigin.BottomRight => 180,
            SKEncodedOrigin.LeftBottom => 270,
            _ => 0,
        };
        if (degrees == 0)
        {
            return bitmap.Copy();
        }

        var turned = degrees == 180 ? new SKBitmap(bitmap.Width, bitmap.Height) : new SKBitmap(bitmap.Height, bitmap.Width);
        using var canvas = new SKCanvas(turned);
        canvas.Translate(turned.Width / 2f, turned.Height / 2f);
        canvas.RotateDegrees(degrees);
        canvas.Translate(-bitmap.Width / 2f, -bitmap.Height / 2f);
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear));
        return turned;
    }
}
