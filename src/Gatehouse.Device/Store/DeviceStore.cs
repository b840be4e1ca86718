using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Sync;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Device.Store;

/// <summary>
/// The device's own SQLite store, <c>device.db</c> in the data directory: its claim (with the MQTT password,
/// which is why the file is the agent user's only), and what sync sent it — settings, doors, schedules,
/// groups, users, credentials and the sync version. Every change of sync data is one transaction that also
/// writes the version, so the store is always at one version, never between two.
/// </summary>
internal sealed class DeviceStore : IDisposable
{
    public const string FileName = "device.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS doors (id TEXT PRIMARY KEY, name TEXT NOT NULL, time_zone TEXT NOT NULL, position INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS schedules (id TEXT PRIMARY KEY, windows TEXT NOT NULL, holidays TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS access_groups (id TEXT PRIMARY KEY, schedule_id TEXT NOT NULL, door_ids TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, suspended INTEGER NOT NULL, valid_from INTEGER, valid_until INTEGER, group_ids TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS credentials (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, suspended INTEGER NOT NULL, valid_from INTEGER, valid_until INTEGER, card TEXT, face_model TEXT, face_template TEXT, mobile_key TEXT);
        CREATE TABLE IF NOT EXISTS seen_tokens (credential_id TEXT NOT NULL, jti TEXT NOT NULL, keep_until INTEGER NOT NULL, PRIMARY KEY (credential_id, jti));
        CREATE INDEX IF NOT EXISTS seen_tokens_keep_until ON seen_tokens (keep_until);
        """;

    // A store made before a column was synced gets it (a face template stays sealed here; a phone key is public).
    private static readonly (string Column, string Sql)[] AddedColumns =
    [
        ("face_model", "ALTER TABLE credentials ADD COLUMN face_model TEXT"),
        ("face_template", "ALTER TABLE credentials ADD COLUMN face_template TEXT"),
        ("mobile_key", "ALTER TABLE credentials ADD COLUMN mobile_key TEXT"),
    ];

    private static readonly string[] SyncTables = ["doors", "schedules", "access_groups", "users", "credentials"];

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private DeviceStore(SqliteConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Opens the store in <paramref name="dataDirectory"/>, creating the directory and the file when missing.</summary>
    public static DeviceStore Open(string dataDirectory)
    {
        SqliteFiles.EnsureDirectory(dataDirectory);
        var connection = SqliteFiles.Open(Path.Combine(dataDirectory, FileName), durable: false);
        SqliteFiles.Execute(connection, Schema);
        foreach (var (column, sql) in AddedColumns)
        {
            using var check = connection.CreateCommand();
            check.CommandText = "SELECT COUNT(*) FROM pragma_table_info('credentials') WHERE name = $name";
            check.Parameters.AddWithValue("$name", column);
            if (Convert.ToInt64(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                SqliteFiles.Execute(connection, sql);
            }
        }

        return new DeviceStore(connection);
    }

    /// <summary>The claim this device made, and the server it made it at; null before the first claim.</summary>
    public (ClaimResponse Claim, Uri Server)? LoadClaim()
    {
        lock (_gate)
        {
            var claim = ReadMeta("claim");
            var server = ReadMeta("server");
            return claim is null || server is null
                ? null
                : (JsonSerializer.Deserialize(claim, DeviceProtocolJson.Default.ClaimResponse)!, new Uri(server));
        }
    }

    /// <summary>Keeps the claim (with its MQTT password) and forgets any sync data of an earlier claim.</summary>
    public void SaveClaim(ClaimResponse claim, Uri server)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            WriteMeta(transaction, "claim", JsonSerializer.Serialize(claim, DeviceProtocolJson.Default.ClaimResponse));
            WriteMeta(transaction, "server", server.ToString());
            ClearSyncData(transaction);
            transaction.Commit();
        }
    }

    /// <summary>Reads the whole sync store, as it was last committed.</summary>
    public StoreContents Load()
    {
        lock (_gate)
        {
            var contents = new StoreContents
            {
                Version = long.TryParse(ReadMeta("sync_version"), out var version) ? version : 0,
                Device = ReadMeta("device") is { } device ? JsonSerializer.Deserialize(device, DeviceProtocolJson.Default.SyncDevice) : null,
            };

            var doors = new List<SyncDoor>();
            using (var reader = Query("SELECT id, name, time_zone FROM doors ORDER BY position"))
            {
                while (reader.Read())
                {
                    doors.Add(new SyncDoor(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
                }
            }

            contents.Apply(new SyncData(Doors: doors));

            using (var reader = Query("SELECT id, windows, holidays FROM schedules"))
            {
                while (reader.Read())
                {
                    var id = reader.GetGuid(0);
                    contents.Schedules[id] = new SyncSchedule(
                        id,
                        JsonSerializer.Deserialize(reader.GetString(1), DeviceProtocolJson.Default.IReadOnlyListSyncWindow)!,
                        JsonSerializer.Deserialize(reader.GetString(2), DeviceProtocolJson.Default.IReadOnlyListDateOnly)!);
                }
            }

            using (var reader = Query("SELECT id, schedule_id, door_ids FROM access_groups"))
            {
                while (reader.Read())
                {
                    var id = reader.GetGuid(0);
                    contents.AccessGroups[id] = new SyncAccessGroup(id, reader.GetGuid(1), ReadGuids(reader.GetString(2)));
                }
            }

            using (var reader = Query("SELECT id, suspended, valid_from, valid_until, group_ids FROM users"))
            {
                while (reader.Read())
                {
                    var id = reader.GetGuid(0);
                    contents.Users[id] = new SyncUser(id, reader.GetBoolean(1), ReadGuids(reader.GetString(4)), ReadInstant(reader, 2), ReadInstant(reader, 3));
                }
            }

            using (var reader = Query("SELECT id, user_id, type, suspended, valid_from, valid_until, card, face_model, face_template, mobile_key FROM credentials"))
            {
                while (reader.Read())
                {
                    var id = reader.GetGuid(0);
                    contents.Credentials[id] = new SyncCredential(
                        id, reader.GetGuid(1), reader.GetString(2), reader.GetBoolean(3), ReadInstant(reader, 4), ReadInstant(reader, 5),
                        reader.IsDBNull(6) ? null : reader.GetString(6),
                        reader.IsDBNull(7) ? null : new SyncFace(reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)),
                        reader.IsDBNull(9) ? null : reader.GetString(9));
                }
            }

            return contents;
        }
    }

    /// <summary>Replaces all sync data with <paramref name="contents"/> (a complete snapshot) in one transaction.</summary>
    public void ReplaceAll(StoreContents contents)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            ClearSyncData(transaction);
            var data = new SyncData(
                contents.Device, contents.Doors, [.. contents.Schedules.Values], [.. contents.AccessGroups.Values],
                [.. contents.Users.Values], [.. contents.Credentials.Values]);
            Write(transaction, data);
            WriteMeta(transaction, "sync_version", contents.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            transaction.Commit();
        }
    }

    /// <summary>
    /// Applies a delta in one transaction, moving the stored version from <paramref name="fromVersion"/> to
    /// <paramref name="version"/>; false (and nothing changed) when the store is not at <paramref name="fromVersion"/>.
    /// </summary>
    public bool ApplyDelta(long fromVersion, long version, SyncData data)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var stored = long.TryParse(ReadMeta("sync_version", transaction), out var v) ? v : 0;
            if (stored != fromVersion)
            {
                return false;
            }

            Write(transaction, data);
            if (data.Removed is { } removed)
            {
                Delete(transaction, "doors", removed.Doors);
                Delete(transaction, "schedules", removed.Schedules);
                Delete(transaction, "access_groups", removed.AccessGroups);
                Delete(transaction, "users", removed.Users);
                Delete(transaction, "credentials", removed.Credentials);
            }

            WriteMeta(transaction, "sync_version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            transaction.Commit();
            return true;
        }
    }

    /// <summary>
    /// Records that the phone credential <paramref name="credentialId"/> showed the door QR token <paramref name="jti"/>,
    /// kept until <paramref name="keepUntil"/> (past which the token's time check refuses it anyway); false when it was
    /// recorded already — a replay, also after a restart. Entries past their time are dropped on the way.
    /// </summary>
    public bool TryRecordToken(Guid credentialId, string jti, DateTimeOffset keepUntil, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var prune = Prepare(transaction, "DELETE FROM seen_tokens WHERE keep_until < $now", "$now"))
            {
                Run(prune, now.UtcTicks);
            }

            using var insert = Prepare(
                transaction, "INSERT OR IGNORE INTO seen_tokens (credential_id, jti, keep_until) VALUES ($credential, $jti, $until)", "$credential", "$jti", "$until");
            var recorded = Run(insert, credentialId, jti, keepUntil.UtcTicks) == 1;
            transaction.Commit();
            return recorded;
        }
    }

    /// <summary>How many token IDs are kept (for tests and the simulator).</summary>
    public int SeenTokenCount()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM seen_tokens";
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private void Write(SqliteTransaction transaction, SyncData data)
    {
        if (data.Device is not null)
        {
            WriteMeta(transaction, "device", JsonSerializer.Serialize(data.Device, DeviceProtocolJson.Default.SyncDevice));
        }

        if (data.Doors is { Count: > 0 } doors)
        {
            // A new door goes after the others; a changed one keeps its place (the reader's door is the first).
            using var command = Prepare(
                transaction,
                """
                INSERT INTO doors (id, name, time_zone, position)
                VALUES ($id, $name, $zone, (SELECT IFNULL(MAX(position), 0) + 1 FROM doors))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone
                """,
                "$id", "$name", "$zone");
            foreach (var door in doors)
            {
                Run(command, door.Id, door.Name, door.TimeZone);
            }
        }

        if (data.Schedules is { Count: > 0 } schedules)
        {
            using var command = Prepare(transaction, "INSERT OR REPLACE INTO schedules (id, windows, holidays) VALUES ($id, $windows, $holidays)", "$id", "$windows", "$holidays");
            foreach (var schedule in schedules)
            {
                Run(
                    command,
                    schedule.Id,
                    JsonSerializer.Serialize(schedule.Windows, DeviceProtocolJson.Default.IReadOnlyListSyncWindow),
                    JsonSerializer.Serialize(schedule.Holidays, DeviceProtocolJson.Default.IReadOnlyListDateOnly));
            }
        }

        if (data.AccessGroups is { Count: > 0 } groups)
        {
            using var command = Prepare(transaction, "INSERT OR REPLACE INTO access_groups (id, schedule_id, door_ids) VALUES ($id, $schedule, $doors)", "$id", "$schedule", "$doors");
            foreach (var group in groups)
            {
                Run(command, group.Id, group.ScheduleId, WriteGuids(group.DoorIds));
            }
        }

        if (data.Users is { Count: > 0 } users)
        {
            using var command = Prepare(
                transaction,
                "INSERT OR REPLACE INTO users (id, suspended, valid_from, valid_until, group_ids) VALUES ($id, $suspended, $from, $until, $groups)",
                "$id", "$suspended", "$from", "$until", "$groups");
            foreach (var user in users)
            {
                Run(command, user.Id, user.Suspended, Ticks(user.ValidFrom), Ticks(user.ValidUntil), WriteGuids(user.AccessGroupIds));
            }
        }

        if (data.Credentials is { Count: > 0 } credentials)
        {
            using var command = Prepare(
                transaction,
                "INSERT OR REPLACE INTO credentials (id, user_id, type, suspended, valid_from, valid_until, card, face_model, face_template, mobile_key) VALUES ($id, $user, $type, $suspended, $from, $until, $card, $faceModel, $faceTemplate, $mobileKey)",
                "$id", "$user", "$type", "$suspended", "$from", "$until", "$card", "$faceModel", "$faceTemplate", "$mobileKey");
            foreach (var credential in credentials)
            {
                Run(
                    command, credential.Id, credential.UserId, credential.Type, credential.Suspended,
                    Ticks(credential.ValidFrom), Ticks(credential.ValidUntil), credential.Card, credential.Face?.Model, credential.Face?.Template, credential.MobileKey);
            }
        }
    }

    private void Delete(SqliteTransaction transaction, string table, IReadOnlyList<Guid>? ids)
    {
        if (ids is not { Count: > 0 })
        {
            return;
        }

        using var command = Prepare(transaction, $"DELETE FROM {table} WHERE id = $id", "$id");
        foreach (var id in ids)
        {
            Run(command, id);
        }
    }

    private void ClearSyncData(SqliteTransaction transaction)
    {
        foreach (var table in SyncTables)
        {
            SqliteFiles.Execute(_connection, $"DELETE FROM {table}", transaction);
        }

        SqliteFiles.Execute(_connection, "DELETE FROM meta WHERE key IN ('sync_version', 'device')", transaction);
    }

    private string? ReadMeta(string key, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    private void WriteMeta(SqliteTransaction transaction, string key, string value)
    {
        using var command = Prepare(transaction, "INSERT OR REPLACE INTO meta (key, value) VALUES ($key, $value)", "$key", "$value");
        Run(command, key, value);
    }

    private SqliteDataReader Query(string sql)
    {
        // Not disposed here: disposing the command would close the reader it returns.
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteReader();
    }

    // Prepared once per batch and re-bound per row: a 100,000-credential snapshot is one statement compiled
    // once and run 100,000 times inside one transaction.
    private SqliteCommand Prepare(SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static int Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] switch
            {
                null => DBNull.Value,
                Guid g => g.ToString("D"),
                bool b => b ? 1 : 0,
                var other => other,
            };
        }

        return command.ExecuteNonQuery();
    }

    private static long? Ticks(DateTimeOffset? instant) => instant?.UtcTicks;

    private static DateTimeOffset? ReadInstant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static string WriteGuids(IReadOnlyList<Guid> ids) => string.Join(',', ids.Select(id => id.ToString("D")));

    private static Guid[] ReadGuids(string text) =>
        text.Length == 0 ? [] : [.. text.Split(',').Select(Guid.Parse)];
}
