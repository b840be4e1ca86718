namespace Gatehouse.Faces.Tests;

public sealed class FaceUploadsTests
{
    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, null)]
    [InlineData(new byte[0], null)]
    public void Sniff_KnowsJpegPngAndWebPOnly(byte[] start, string? expected) => Assert.Equal(expected, FaceUploads.Sniff(start));

    [Fact]
    public async Task ReadBoundedAsync_StopsOnceOverTheLimit_AndReadsWhatFits()
    {
        using var large = new MemoryStream(new byte[200_000]);
        using var small = new MemoryStream(new byte[1_000]);

        Assert.Null(await FaceUploads.ReadBoundedAsync(large, 100_000, CancellationToken.None));
        Assert.True(large.Position < large.Length, "reading stops before the end");
        Assert.Equal(1_000, (await FaceUploads.ReadBoundedAsync(small, 1_000, CancellationToken.None))!.Length);
    }
}
