using System.Buffers.Binary;
using System.Text;
using Gatehouse.Testing;
using SkiaSharp;

namespace Gatehouse.Faces.Tests;

/// <summary>Photos made from the test photos the way a camera, an editor or an attacker would make them.</summary>
internal static class TestImages
{
    public static SKBitmap Decode(string photo) => SKBitmap.Decode(FaceAssets.Photo(photo));

    public static byte[] Jpeg(SKBitmap bitmap, int quality = 90)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    public static byte[] Png(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The photo redrawn through <paramref name="paint"/> (a colour filter, a blur…), scaled to <paramref name="scale"/>.</summary>
    public static SKBitmap Redraw(string photo, float scale = 1, SKPaint? paint = null, int rotate = 0)
    {
        using var source = Decode(photo);
        var w = (int)(source.Width * scale);
        var h = (int)(source.Height * scale);
        var swap = rotate is 90 or 270;
        var result = new SKBitmap(swap ? h : w, swap ? w : h);
        using var canvas = new SKCanvas(result);
        canvas.Clear(SKColors.White);
        canvas.Translate(result.Width / 2f, result.Height / 2f);
        canvas.RotateDegrees(rotate);
        canvas.Translate(-w / 2f, -h / 2f);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, SKRect.Create(w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        return result;
    }

    /// <summary>A JPEG whose pixels are stored turned 90° to the left with an EXIF tag saying to turn it right to view, as phones write them.</summary>
    public static byte[] StoredSidewaysWithExif(string photo)
    {
        using var sideways = Redraw(photo, rotate: 270);
        var jpeg = Jpeg(sideways);
        // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112) = 6 (rotate 90° clockwise).
        var tiff = new byte[] { 0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0 };
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>A valid PNG of a few hundred bytes whose header declares <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static byte[] DecompressionBomb(int width = 50_000, int height = 50_000)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        byte[] idat = [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01];
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var chunk = new byte[8 + data.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        typed.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(typed));
        return chunk;
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
