using SkiaSharp;

namespace Gatehouse.Faces;

/// <summary>
/// An upright RGBA image decoded from a JPEG, PNG or WebP, and the crops the models need. Decoding checks the
/// declared size before any pixel is allocated, so a small file declaring billions of pixels costs nothing.
/// </summary>
/// <remarks>
/// Every crop shrinks the photo (a 1280 × 960 photo becomes the detector's 320 × 240, a 300 px face the
/// recogniser's 112 px), and shrinking by more than 2× with a bilinear filter alone skips pixels and aliases.
/// Skia's mipmap sampling avoids that but builds the whole mipmap chain of the image again for every draw
/// (about 10–15 ms for 1280 × 960, eight draws per analysis); so the image keeps its own chain of halvings,
/// made once when first needed, and each crop draws bilinearly from the level that leaves less than 2× to shrink.
/// </remarks>
internal sealed class FaceImage : IDisposable
{
    private static readonly SKSamplingOptions Bilinear = new(SKFilterMode.Linear, SKMipmapMode.None);

    // Level 0 is the image itself; level k is about 1/2^k of its size (exact sizes kept, odd sides round down).
    private readonly List<SKImage> _levels;

    private FaceImage(SKImage image)
    {
        Image = image;
        _levels = [image];
    }

    public SKImage Image { get; }

    public int Width => Image.Width;

    public int Height => Image.Height;

    /// <summary>Decodes <paramref name="data"/> upright (EXIF orientation applied), or says why it cannot.</summary>
    public static FaceImage? TryDecode(ReadOnlySpan<byte> data, int maxPixels, out FaceRejection? rejection, out string? detail)
    {
        rejection = FaceRejection.UnreadableImage;
        detail = "The file is not an image that can be read. Use a JPEG, PNG or WebP photo.";
        if (data.IsEmpty)
            return null;

        using var encoded = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(encoded);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp))
            return null;

        var declared = codec.Info;
        if (declared.Width <= 0 || declared.Height <= 0)
            return null;
        if ((long)declared.Width * declared.Height > maxPixels)
        {
            rejection = FaceRejection.ImageTooLarge;
            detail = $"The image has more than {maxPixels / 1_000_000} megapixels. Use a smaller photo.";
            return null;
        }

        var info = new SKImageInfo(declared.Width, declared.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result == SKCodecResult.IncompleteInput)
        {
            detail = "The image is incomplete (the file was cut short). Take or upload the photo again.";
            return null;
        }
        if (result != SKCodecResult.Success)
            return null;

        rejection = null;
        detail = null;
        return new FaceImage(Upright(decoded, codec.EncodedOrigin));
    }

    /// <summary>The image drawn as <paramref name="origin"/> says it should be viewed.</summary>
    private static SKImage Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            // Already upright (most photos): the image shares the decoded pixels instead of drawing a copy of them.
            bitmap.SetImmutable();
            return SKImage.FromBitmap(bitmap);
        }
        return Turned(bitmap, origin);
    }

    /// <summary>The image turned or mirrored onto an upright canvas.</summary>
    private static SKImage Turned(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        var (w, h) = (bitmap.Width, bitmap.Height);
        var swapped = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var info = new SKImageInfo(swapped ? h : w, swapped ? w : h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        // Each case maps the stored pixels onto the upright canvas (the EXIF orientation values 1–8).
        var matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
        canvas.SetMatrix(matrix);
        using var source = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(source, 0, 0, SKSamplingOptions.Default, null);
        return surface.Snapshot();
    }

    /// <summary>The part <paramref name="source"/> of the image scaled to <paramref name="width"/>×<paramref name="height"/> (black outside the image).</summary>
    public SKBitmap Crop(SKRect source, int width, int height)
    {
        var level = Level(MathF.Max(source.Width / width, source.Height / height));
        var (sx, sy) = ((float)level.Width / Width, (float)level.Height / Height);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        var scaled = new SKRect(source.Left * sx, source.Top * sy, source.Right * sx, source.Bottom * sy);
        canvas.DrawImage(level, scaled, SKRect.Create(width, height), Bilinear, null);
        return bitmap;
    }

    /// <summary>The image warped by <paramref name="matrix"/> (image → output pixels) into a <paramref name="size"/>² square.</summary>
    public SKBitmap Warp(SKMatrix matrix, int size)
    {
        // How many image pixels one output pixel spans: the inverse of the transform's (uniform) scale.
        var scale = MathF.Sqrt(MathF.Abs(matrix.ScaleX * matrix.ScaleY - matrix.SkewX * matrix.SkewY));
        var level = Level(scale > 0 ? 1 / scale : 1);
        var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        canvas.SetMatrix(matrix.PreConcat(SKMatrix.CreateScale((float)Width / level.Width, (float)Height / level.Height)));
        canvas.DrawImage(level, 0, 0, Bilinear, null);
        return bitmap;
    }

    /// <summary>The largest halving of the image that a crop shrinking it <paramref name="shrink"/>× must still shrink at least 1×.</summary>
    private SKImage Level(float shrink)
    {
        var k = 0;
        // Down one level while what is left to shrink there is still at least 1× (2^(k+1) ≤ shrink).
        while (shrink >= 2 << k)
        {
            if (k + 1 == _levels.Count)
            {
                var last = _levels[^1];
                if (last.Width < 4 || last.Height < 4)
                    break;
                _levels.Add(Halve(last));
            }
            k++;
        }
        return _levels[k];
    }

    /// <summary>An exact 2 × 2 average: bilinear sampling at half size lands between four pixels.</summary>
    private static SKImage Halve(SKImage image)
    {
        var info = new SKImageInfo(image.Width / 2, image.Height / 2, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        surface.Canvas.DrawImage(image, SKRect.Create(info.Width * 2, info.Height * 2), SKRect.Create(info.Width, info.Height), Bilinear, null);
        return surface.Snapshot();
    }

    /// <summary>A square JPEG of <paramref name="source"/>, <paramref name="size"/> pixels a side.</summary>
    public byte[] Thumbnail(SKRect source, int size)
    {
        using var bitmap = Crop(source, size, size);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 80);
        return data.ToArray();
    }

    public void Dispose()
    {
        foreach (var level in _levels)
            level.Dispose();
    }
}
