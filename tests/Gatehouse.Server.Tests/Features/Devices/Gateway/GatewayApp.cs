using System.Collections.Concurrent;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>
/// The server for the gateway's tests: its log lines are kept (to check what is logged, and that no secret
/// is), and snapshots come in parts of four records so that even a small one arrives in several.
/// </summary>
public sealed class GatewayApp : GatehouseApp
{
    public LogSink Logs { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Mqtt:SnapshotPartSize", "4");

        // The tests of a door that never answers wait this long.
        builder.UseSetting("Gatehouse:Devices:UnlockConfirmationTimeout", "00:00:02");
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
    }
}

/// <summary>Every log line of the app, formatted.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Lines => [.. _lines];

    public bool Contains(LogLevel level, string text) =>
        _lines.Any(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal));

    public Task WaitForAsync(LogLevel level, string text) =>
        TestDevice.WaitUntilAsync(() => Task.FromResult(Contains(level, text)), $"a {level} log line with \"{text}\"");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._lines.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
