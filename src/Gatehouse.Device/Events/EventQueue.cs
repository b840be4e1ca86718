using System.Globalization;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Events;

/// <summary>
/// The device's access events until the server has them: <c>events.db</c> in the data directory, its own
/// file so that writing an event never waits behind a large sync. An event is committed (with an fsync)
/// before anyone is told about it, read back oldest first, and deleted only when an <see cref="EventAck"/>
/// names it. The queue is bounded: when it is full the oldest event is dropped, loudly, and counted.
/// </summary>
internal sealed partial class EventQueue : IDisposable
{
    public const string FileName = "events.db";

    private readonly SqliteConnection _connection;
    private readonly int _capacity;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private int _count;
    private long _dropped;

    private EventQueue(SqliteConnection connection, int capacity, ILogger logger)
    {
        _connection = connection;
        _capacity = capacity;
        _logger = logger;
        SqliteFiles.Execute(connection, """
            CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM events";
        _count = Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        using var dropped = connection.CreateCommand();
        dropped.CommandText = "SELECT value FROM meta WHERE key = 'dropped'";
        _dropped = dropped.ExecuteScalar() is string text ? long.Parse(text, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Raised after events were added or removed (outside the queue's lock).</summary>
    public event Action? Changed;

    /// <summary>Raised with the IDs of each acknowledgement (whether or not they were still queued).</summary>
    public event Action<IReadOnlyList<Guid>>? Acknowledged;

    /// <summary>Events waiting for the server's acknowledgement.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Events dropped, ever, because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public static EventQueue Open(string dataDirectory, int capacity, ILogger<EventQueue> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        SqliteFiles.EnsureDirectory(dataDirectory);
        return new EventQueue(SqliteFiles.Open(Path.Combine(dataDirectory, FileName), durable: true), capacity, logger);
    }

    /// <summary>
    /// Commits the event (once: an ID already queued is not added again). When the queue is over its
    /// capacity, the oldest events are dropped in the same transaction.
    /// </summary>
    public void Enqueue(DeviceEvent deviceEvent)
    {
        var dropped = 0;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT OR IGNORE INTO events (id, body) VALUES ($id, $body)";
                insert.Parameters.AddWithValue("$id", deviceEvent.Id.ToString("D"));
                insert.Parameters.AddWithValue("$body", JsonSerializer.Serialize(deviceEvent, DeviceProtocolJson.Default.DeviceEvent));
                if (insert.ExecuteNonQuery() == 0)
                {
                    return;
                }
            }

            var count = _count + 1;
            if (count > _capacity)
            {
                dropped = count - _capacity;
                using var trim = _connection.CreateCommand();
                trim.Transaction = transaction;
                trim.CommandText = "DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT $n)";
                trim.Parameters.AddWithValue("$n", dropped);
                trim.ExecuteNonQuery();
                using var total = _connection.CreateCommand();
                total.Transaction = transaction;
                total.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ('dropped', $value)";
                total.Parameters.AddWithValue("$value", (_dropped + dropped).ToString(CultureInfo.InvariantCulture));
                total.ExecuteNonQuery();
                count = _capacity;
            }

            transaction.Commit();
            Volatile.Write(ref _count, count);
            Interlocked.Add(ref _dropped, dropped);
        }

        if (dropped > 0)
        {
            LogQueueFull(_logger, _capacity, dropped, Dropped);
        }

        Changed?.Invoke();
    }

    /// <summary>Up to <paramref name="max"/> of the oldest events, oldest first.</summary>
    public IReadOnlyList<DeviceEvent> PeekOldest(int max)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT body FROM events ORDER BY seq LIMIT $n";
            command.Parameters.AddWithValue("$n", max);
            using var reader = command.ExecuteReader();
            var events = new List<DeviceEvent>();
            while (reader.Read())
            {
                events.Add(JsonSerializer.Deserialize(reader.GetString(0), DeviceProtocolJson.Default.DeviceEvent)!);
            }

            return events;
        }
    }

    /// <summary>Deletes the named events (the server has stored them); returns how many were queued.</summary>
    public int Acknowledge(IReadOnlyList<Guid> ids)
    {
        var removed = 0;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM events WHERE id = $id";
            var parameter = delete.Parameters.Add("$id", SqliteType.Text);
            delete.Prepare();
            foreach (var id in ids)
            {
                parameter.Value = id.ToString("D");
                removed += delete.ExecuteNonQuery();
            }

            transaction.Commit();
            Volatile.Write(ref _count, _count - removed);
        }

        Acknowledged?.Invoke(ids);
        if (removed > 0)
        {
            Changed?.Invoke();
        }

        return removed;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The event queue is full ({Capacity} events waiting for the server): dropped the {Dropped} oldest, {TotalDropped} dropped in all. Reconnect the device to the server.")]
    private static partial void LogQueueFull(ILogger logger, int capacity, int dropped, long totalDropped);
}
