using System.Text;
using SkiaSharp;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// A video file for Chromium's fake camera (<c>--use-file-for-fake-video-capture</c>) made from a still photo:
/// YUV4MPEG2 with 4:2:0 planes, the photo fitted into the frame on a grey ground, repeated for a few frames.
/// </summary>
public static class FakeCamera
{
    /// <summary>
    /// Writes <paramref name="photo"/> (JPEG or PNG bytes) as a <c>.y4m</c> in the temp folder and returns its
    /// path; the same photo and size give the same file, so a test run writes each once.
    /// </summary>
    public static string Video(byte[] photo, string name, int width = 640, int height = 480, int frames = 5)
    {
        var path = Path.Combine(Path.GetTempPath(), "gatehouse-fake-camera", $"{name}-{width}x{height}.y4m");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N");
        using (var file = File.Create(temporary))
        {
            Write(file, photo, width, height, frames);
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The YUV4MPEG2 stream: a text header, then per frame <c>FRAME\n</c> and the Y, U and V planes.</summary>
    public static void Write(Stream output, byte[] photo, int width, int height, int frames)
    {
        if (width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException("4:2:0 needs an even width and height.");
        }

        var (y, u, v) = Planes(Frame(photo, width, height));
        output.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n"));
        var marker = Encoding.ASCII.GetBytes("FRAME\n");
        for (var i = 0; i < frames; i++)
        {
            output.Write(marker);
            output.Write(y);
            output.Write(u);
            output.Write(v);
        }
    }

    private static SKBitmap Frame(byte[] photo, int width, int height)
    {
        using var image = SKBitmap.Decode(photo) ?? throw new ArgumentException("The photo could not be decoded.");
        var frame = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(frame);
        canvas.Clear(new SKColor(128, 128, 128));
        var scale = Math.Min((float)width / image.Width, (float)height / image.Height);
        var w = image.Width * scale;
        var h = image.Height * scale;
        var target = SKRect.Create((width - w) / 2, (height - h) / 2, w, h);
        using var picture = SKImage.FromBitmap(image);
        canvas.DrawImage(picture, target, new SKSamplingOptions(SKCubicResampler.Mitchell));
        canvas.Flush();
        return frame;
    }

    // Full-range BT.601 (JFIF), as C420jpeg declares; chroma is the mean of each 2×2 block.
    private static (byte[] Y, byte[] U, byte[] V) Planes(SKBitmap frame)
    {
        using var _ = frame;
        int width = frame.Width, height = frame.Height;
        var y = new byte[width * height];
        var u = new byte[width / 2 * (height / 2)];
        var v = new byte[u.Length];
        var pixels = frame.Pixels;
        for (var row = 0; row < height; row += 2)
        {
            for (var col = 0; col < width; col += 2)
            {
                double cb = 0, cr = 0;
                for (var dy = 0; dy < 2; dy++)
                {
                    for (var dx = 0; dx < 2; dx++)
                    {
                        var p = pixels[(row + dy) * width + col + dx];
                        double r = p.Red, g = p.Green, b = p.Blue;
                        y[(row + dy) * width + col + dx] = Clamp(0.299 * r + 0.587 * g + 0.114 * b);
                        cb += 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
                        cr += 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
                    }
                }

                var c = row / 2 * (width / 2) + col / 2;
                u[c] = Clamp(cb / 4);
                v[c] = Clamp(cr / 4);
            }
        }

        return (y, u, v);
    }

    private static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}
