using Gatehouse.Faces;
using Gatehouse.Device.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Simulator;

/// <summary>
/// <c>--camera-files DIR</c>: a camera for tests and headless devices. The folder is looked at every
/// <see cref="PollInterval"/>; each image file that appeared since (<c>.jpg</c>, <c>.jpeg</c>, <c>.png</c>,
/// <c>.webp</c>; names starting with a dot are skipped, so write to <c>.name</c> and rename) whose size held still
/// for one look is presented as one frame, once. Files there when the agent starts are not frames. The agent never
/// deletes or changes a file in the folder.
/// </summary>
internal sealed partial class CameraFolder(string folder, SimulatedCamera camera, TimeProvider clock, ILogger<CameraFolder> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = new HashSet<string>(List(), StringComparer.Ordinal);
        var pending = new Dictionary<string, long>(StringComparer.Ordinal);
        LogWatching(logger, folder);
        using var timer = new PeriodicTimer(PollInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var path in List())
            {
                if (seen.Contains(path))
                {
                    continue;
                }

                long length;
                try
                {
                    length = new FileInfo(path).Length;
                }
                catch (IOException)
                {
                    continue;
                }

                // Present a file once its size held still for one look: a writer may not be done with it yet.
                if (!pending.TryGetValue(path, out var before) || before != length || length == 0)
                {
                    pending[path] = length;
                    continue;
                }

                pending.Remove(path);
                seen.Add(path);
                await PresentAsync(path, stoppingToken);
            }
        }
    }

    private async Task PresentAsync(string path, CancellationToken ct)
    {
        try
        {
            var length = new FileInfo(path).Length;
            if (length > camera.MaxFrameBytes)
            {
                LogRefused(logger, Path.GetFileName(path), CameraFrames.ImageTooLarge);
                return;
            }

            var image = await File.ReadAllBytesAsync(path, ct);
            var outcome = await camera.PresentAsync(new CameraFrame(image, FaceUploads.Sniff(image) ?? "application/octet-stream"), ct);
            var name = Path.GetFileName(path);
            LogFrame(logger, name, outcome.Granted, outcome.Reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // A file that vanished or cannot be read is one lost frame, not a stopped camera.
            LogRefused(logger, Path.GetFileName(path), e.GetType().Name);
        }
    }

    private List<string> List()
    {
        try
        {
            return Directory.EnumerateFiles(folder)
                .Where(p => !Path.GetFileName(p).StartsWith('.') && Extensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Folder} for camera frames")]
    private static partial void LogWatching(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera frame {File}: granted {Granted} ({Reason})")]
    private static partial void LogFrame(ILogger logger, string file, bool granted, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera frame {File} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string file, string reason);
}
