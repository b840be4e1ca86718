using SkiaSharp;

namespace Gatehouse.Faces;

/// <summary>
/// Fits a camera frame into a message of bounded size: a frame at most <c>maxBytes</c> is kept as it is; a larger
/// one is decoded upright (as the engine decodes it) and re-encoded as JPEG, first at lower quality and then smaller
/// (by quarters, never below 640 px on the long side, so the face keeps the pixels the size check wants).
/// </summary>
public static class FaceFrames
{
    private const int MinLongSide = 640;
    private static readonly int[] Qualities = [90, 80, 70];

    /// <summary>The frame to send; null when it cannot be decoded (or has more than <paramref name="maxPixels"/>) or made small enough.</summary>
    public static byte[]? Fit(ReadOnlyMemory<byte> image, int maxBytes, int maxPixels = 40_000_000)
    {
        if (image.Length <= maxBytes)
        {
            return image.ToArray();
        }

        using var upright = FaceImage.TryDecode(image.Span, maxPixels, out _, out _);
        if (upright is null)
        {
            return null;
        }

        var scale = 1f;
        while (true)
        {
            var width = Math.Max(1, (int)(upright.Width * scale));
            var height = Math.Max(1, (int)(upright.Height * scale));
            using var sized = upright.Crop(SKRect.Create(upright.Width, upright.Height), width, height);
            using var sizedImage = SKImage.FromBitmap(sized);
            foreach (var quality in Qualities)
            {
                using var encoded = sizedImage.Encode(SKEncodedImageFormat.Jpeg, quality);
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
}
