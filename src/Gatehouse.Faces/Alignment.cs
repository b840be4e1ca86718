using SkiaSharp;

namespace Gatehouse.Faces;

/// <summary>
/// Aligns a face for the recogniser: five points from the 68 landmarks (eye centres, nose tip, mouth corners)
/// mapped by a least-squares similarity transform onto the standard 112×112 reference positions the
/// recogniser was trained on, so a tilted or off-centre face yields the same template as an upright one.
/// </summary>
internal static class Alignment
{
    public const int Size = 112;

    private static readonly SKPoint[] Reference =
    [
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f), new(70.7299f, 92.2041f),
    ];

    /// <summary>The five alignment points of the 68-point landmarks.</summary>
    public static SKPoint[] FivePoints(SKPoint[] p) =>
    [
        Mean(p[37], p[38], p[40], p[41]),
        Mean(p[43], p[44], p[46], p[47]),
        p[30],
        Mean(p[48], p[60]),
        Mean(p[54], p[64]),
    ];

    /// <summary>The similarity transform (rotation, uniform scale, shift) taking the face's points to the reference.</summary>
    public static SKMatrix ToReference(SKPoint[] landmarks)
    {
        var source = FivePoints(landmarks);
        var ms = Mean(source);
        var md = Mean(Reference);
        double num1 = 0, num2 = 0, den = 0;
        for (var i = 0; i < source.Length; i++)
        {
            double sx = source[i].X - ms.X, sy = source[i].Y - ms.Y;
            double dx = Reference[i].X - md.X, dy = Reference[i].Y - md.Y;
            num1 += sx * dx + sy * dy;
            num2 += sx * dy - sy * dx;
            den += sx * sx + sy * sy;
        }
        if (den <= 0)
            return SKMatrix.Identity;
        var a = (float)(num1 / den);
        var b = (float)(num2 / den);
        var tx = md.X - (a * ms.X - b * ms.Y);
        var ty = md.Y - (b * ms.X + a * ms.Y);
        return new SKMatrix(a, -b, tx, b, a, ty, 0, 0, 1);
    }

    /// <summary>
    /// Sharpness (variance of the Laplacian), mean brightness and colourfulness (mean channel difference; 0 for a
    /// black-and-white photo) of the aligned face's central part, where the background and hair do not count.
    /// </summary>
    public static (float Sharpness, float Brightness, float Colour) Measure(SKBitmap aligned)
    {
        var pixels = aligned.GetPixelSpan();
        var w = aligned.Width;
        var grey = new float[w * aligned.Height];
        for (var i = 0; i < grey.Length; i++)
            grey[i] = 0.299f * pixels[4 * i] + 0.587f * pixels[4 * i + 1] + 0.114f * pixels[4 * i + 2];

        // The box from the eyebrows to the chin and between the cheeks of the reference face.
        const int x0 = 28, x1 = 84, y0 = 36, y1 = 104;
        double sum = 0, lapSum = 0, lapSq = 0, colour = 0;
        var n = 0;
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var c = grey[y * w + x];
                var p = 4 * (y * w + x);
                colour += Math.Abs(pixels[p] - pixels[p + 1]) + Math.Abs(pixels[p + 1] - pixels[p + 2]);
                sum += c;
                double lap = grey[(y - 1) * w + x] + grey[(y + 1) * w + x] + grey[y * w + x - 1] + grey[y * w + x + 1] - 4 * c;
                lapSum += lap;
                lapSq += lap * lap;
                n++;
            }
        }
        var mean = lapSum / n;
        return ((float)(lapSq / n - mean * mean), (float)(sum / n), (float)(colour / n));
    }

    private static SKPoint Mean(params ReadOnlySpan<SKPoint> points)
    {
        float x = 0, y = 0;
        foreach (var p in points)
        {
            x += p.X;
            y += p.Y;
        }
        return new SKPoint(x / points.Length, y / points.Length);
    }
}
