using Gatehouse.Faces;
using Gatehouse.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// The face engine of this process, loaded once at start. Without models (or with models that do not load) face
/// features are off and <see cref="UnavailableReason"/> says why in a sentence; everything else works. Analyses run
/// off the request's thread and at most one per core at a time, so a burst of uploads queues instead of decoding
/// many large images at once.
/// </summary>
internal sealed partial class FaceEngineHost : IHostedService, IDisposable
{
    private readonly Lazy<FaceEngineLoad> _load;
    private readonly SemaphoreSlim _analyses = new(Math.Max(1, Environment.ProcessorCount), Math.Max(1, Environment.ProcessorCount));
    private readonly ILogger<FaceEngineHost> _logger;

    public FaceEngineHost(IOptions<FaceOptions> options, ILogger<FaceEngineHost> logger)
    {
        _logger = logger;
        _load = new Lazy<FaceEngineLoad>(() => Load(options.Value), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The engine, or null when face features are off.</summary>
    public FaceEngine? Engine => _load.Value.Engine;

    /// <summary>Why face features are off; null while they are on.</summary>
    public string? UnavailableReason => _load.Value.Engine is null ? _load.Value.Unavailable ?? "The face engine did not load." : null;

    /// <summary>The model of the templates the engine makes; null when face features are off.</summary>
    public string? Model => Engine?.Model;

    /// <summary>The refusal of a face operation while face features are off.</summary>
    public ApiError? Unavailable => UnavailableReason is { } reason ? new ApiError.FaceUnavailable(reason) : null;

    /// <summary>
    /// Analyses one encoded image on a pool thread, waiting for a free slot first. Null when face features are off.
    /// </summary>
    public async Task<FaceAnalysis?> AnalyzeAsync(byte[] image, CancellationToken ct)
    {
        if (Engine is not { } engine)
        {
            return null;
        }

        await _analyses.WaitAsync(ct);
        try
        {
            return await Task.Run(() => engine.Analyze(image), ct);
        }
        finally
        {
            _analyses.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _load.Value;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        if (_load.IsValueCreated)
        {
            _load.Value.Engine?.Dispose();
        }

        _analyses.Dispose();
    }

    private FaceEngineLoad Load(FaceOptions options)
    {
        FaceEngineLoad load;
        try
        {
            load = FaceEngine.Load(options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug or a broken native library must not take the rest of the server down with it.
            load = new FaceEngineLoad(null, $"The face engine failed to load ({e.GetType().Name}).");
        }

        if (load.Engine is { } engine)
        {
            LogLoaded(_logger, engine.Model, options.ModelDirectory ?? "");
        }
        else
        {
            LogUnavailable(_logger, load.Unavailable ?? "unknown");
        }

        return load;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Face engine loaded: model {Model} from {ModelDirectory}")]
    private static partial void LogLoaded(ILogger logger, string model, string modelDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Face features are off: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}

/// <summary>
/// The face detail of <c>/health/ready</c>. Always healthy — without models only face features are off, and the
/// server is ready for everything else — with a description that says which.
/// </summary>
internal sealed class FaceReadinessCheck(FaceEngineHost faces) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(faces.UnavailableReason is { } reason
            ? $"Face features are off: {reason}"
            : $"Face features are on (model {faces.Model})."));
}

/// <summary>Server-side settings of face enrollment, under <c>Gatehouse:Face:Invitations</c>.</summary>
internal sealed class FaceInvitationOptions
{
    public const string Section = "Gatehouse:Face:Invitations";

    /// <summary>Photos one invitation link takes before it refuses more (429).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int MaxUploads { get; set; } = 10;

    /// <summary>The longest an invitation may be valid for.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan MaxValidity { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Requests to the public invitation endpoints (page, photo and the page itself) a client address may make per minute.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int PublicRequestsPerMinute { get; set; } = 60;
}
