using SkiaSharp;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The fake camera the face pages are tested with shows the photo it was made from.</summary>
[Trait("Category", "Browser")]
public sealed class FakeCameraTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Video_OfAPhoto_IsWhatThePagesCameraShows()
    {
        // Left half red, right half blue: Chromium's own test pattern is neither.
        using var bitmap = new SKBitmap(320, 240);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Red);
            using var blue = new SKPaint { Color = SKColors.Blue };
            canvas.DrawRect(160, 0, 160, 240, blue);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var video = FakeCamera.Video(data.ToArray(), "red-blue", 320, 240);
        await using var browser = await app.OpenAsync(camera: video);
        await browser.Page.GotoAsync("/account/sign-in");

        var colors = await browser.Page.EvaluateAsync<int[]>("""
            async () => {
                const stream = await navigator.mediaDevices.getUserMedia({ video: true });
                const video = document.createElement("video");
                video.muted = true;
                video.srcObject = stream;
                await video.play();
                while (!video.videoWidth) await new Promise(r => setTimeout(r, 50));
                const canvas = document.createElement("canvas");
                canvas.width = video.videoWidth;
                canvas.height = video.videoHeight;
                const context = canvas.getContext("2d");
                context.drawImage(video, 0, 0);
                const left = context.getImageData(canvas.width / 4, canvas.height / 2, 1, 1).data;
                const right = context.getImageData(canvas.width * 3 / 4, canvas.height / 2, 1, 1).data;
                return [canvas.width, canvas.height, left[0], left[2], right[0], right[2]];
            }
            """);

        Assert.Equal([320, 240], colors[..2]);
        Assert.True(colors[2] > 200 && colors[3] < 60, $"The left of the frame is rgb({colors[2]}, ·, {colors[3]}), not red.");
        Assert.True(colors[4] < 60 && colors[5] > 200, $"The right of the frame is rgb({colors[4]}, ·, {colors[5]}), not blue.");
    }
}
