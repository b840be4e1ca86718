using Microsoft.Data.Sqlite;

namespace Gatehouse.Device.Store;

/// <summary>Opens the agent's SQLite files: readable by the agent's user only, in WAL mode.</summary>
internal static class SqliteFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the data directory (owner only on Unix) when it is missing.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Opens (creating when missing) the database at <paramref name="path"/>. The file is created with mode
    /// 0600 before SQLite touches it, because it holds the device's MQTT password; SQLite gives its -wal and
    /// -shm files the database file's mode. <paramref name="durable"/> makes each commit survive a power cut
    /// (an fsync per commit), for what cannot be fetched again; without it a commit survives a crash of the
    /// agent, not of the machine.
    /// </summary>
    public static SqliteConnection Open(string path, bool durable)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (!File.Exists(path))
            {
                using var created = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = OwnerOnly,
                });
            }
            else
            {
                File.SetUnixFileMode(path, OwnerOnly);
            }
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();

        // WAL: a reader never waits for the writer, and a big transaction is written once.
        Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(durable ? "FULL" : "NORMAL")};");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
