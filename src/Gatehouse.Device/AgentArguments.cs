using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Device;

/// <summary>
/// The agent's command line: <c>--server URL --claim-code CODE --data-dir DIR [--simulator-urls URL[;URL]]
/// [--camera-files DIR]</c>. After the first claim <c>--data-dir</c> (and, out of habit, <c>--server</c>) suffice.
/// <see cref="CameraFiles"/> is a folder the agent watches: each new image file in it is a camera frame.
/// </summary>
internal sealed record AgentArguments(
    Uri? Server, string? ClaimCode, string DataDirectory, IReadOnlyList<string> SimulatorUrls, string? CameraFiles = null)
{
    public const string Usage =
        "Usage: Gatehouse.Device --server http://HOST:PORT --claim-code CODE --data-dir DIR [--simulator-urls http://127.0.0.1:PORT] [--camera-files DIR]";

    /// <summary>Reads the arguments, or says in one line what is wrong with them.</summary>
    public static bool TryParse(
        IReadOnlyList<string> args, [NotNullWhen(true)] out AgentArguments? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string value;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                error = $"{name} needs a value. {Usage}";
                return false;
            }

            if (name is not ("--server" or "--claim-code" or "--data-dir" or "--simulator-urls" or "--camera-files"))
            {
                error = $"Unknown argument {name}. {Usage}";
                return false;
            }

            if (!values.TryAdd(name, value))
            {
                error = $"{name} is given twice.";
                return false;
            }
        }

        if (!values.TryGetValue("--data-dir", out var dataDirectory) || string.IsNullOrWhiteSpace(dataDirectory))
        {
            error = $"--data-dir is required: the folder where the device keeps its credentials, store and event queue. {Usage}";
            return false;
        }

        Uri? server = null;
        if (values.TryGetValue("--server", out var serverText)
            && (!Uri.TryCreate(serverText, UriKind.Absolute, out server) || server.Scheme is not ("http" or "https")))
        {
            error = $"--server must be the server's address such as http://127.0.0.1:5000; got \"{serverText}\".";
            return false;
        }

        List<string> simulatorUrls = [];
        if (values.TryGetValue("--simulator-urls", out var urlText))
        {
            foreach (var url in urlText.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    error = $"--simulator-urls must be addresses such as http://127.0.0.1:5080; got \"{url}\".";
                    return false;
                }

                simulatorUrls.Add(url);
            }
        }

        string? cameraFiles = null;
        if (values.TryGetValue("--camera-files", out var cameraText))
        {
            if (string.IsNullOrWhiteSpace(cameraText) || !Directory.Exists(cameraText))
            {
                error = $"--camera-files must be an existing folder to watch for camera frames; got \"{cameraText}\".";
                return false;
            }

            cameraFiles = Path.GetFullPath(cameraText);
        }

        values.TryGetValue("--claim-code", out var claimCode);
        parsed = new AgentArguments(
            server,
            string.IsNullOrWhiteSpace(claimCode) ? null : claimCode.Trim(),
            Path.GetFullPath(dataDirectory),
            simulatorUrls,
            cameraFiles);
        error = null;
        return true;
    }
}
