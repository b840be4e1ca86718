using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Device accounts on Mosquitto's dynamic-security plugin, managed through its command topic
/// (<c>$CONTROL/dynamic-security/v1</c>, answers on <c>…/response</c>). Each device gets a client named by
/// its ID (client ID pinned to the same) and a role <c>gatehouse-device-{id}</c> whose ACLs allow exactly its
/// own topics. Clients carry the installation's <see cref="MqttOptions.AccountOwner"/> as their description, so on
/// a broker shared by several installations each reconciles only its own (every server of one installation, whatever
/// its generated client ID, reconciles the same accounts against the same store).
/// </summary>
internal sealed partial class DynamicSecurityAccounts : IBrokerAccounts
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private readonly GatewayConnection _connection;
    private readonly IServiceScopeFactory _scopes;
    private readonly string _owner;
    private readonly ILogger<DynamicSecurityAccounts> _logger;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _waiting = new(StringComparer.Ordinal);

    public DynamicSecurityAccounts(
        GatewayConnection connection,
        GatewayInbox inbox,
        IServiceScopeFactory scopes,
        IOptions<MqttOptions> options,
        ILogger<DynamicSecurityAccounts> logger)
    {
        _connection = connection;
        _scopes = scopes;
        _owner = options.Value.AccountOwner;
        _logger = logger;
        inbox.DynamicSecurityResponse += OnResponse;
    }

    public static string RoleOf(Guid deviceId) => $"gatehouse-device-{deviceId:D}";

    public async Task ProvisionAsync(Guid organizationId, Guid deviceId, string password, CancellationToken ct)
    {
        var username = deviceId.ToString("D");
        var role = RoleOf(deviceId);
        var prefix = DeviceTopics.Prefix(organizationId, deviceId);
        var acls = new JsonArray();
        foreach (var suffix in DeviceTopics.DevicePublishes)
        {
            acls.Add(Acl("publishClientSend", $"{prefix}/{suffix}"));
        }

        foreach (var suffix in DeviceTopics.DeviceSubscribes)
        {
            acls.Add(Acl("subscribeLiteral", $"{prefix}/{suffix}"));
            acls.Add(Acl("publishClientReceive", $"{prefix}/{suffix}"));
        }

        // Replaced whole rather than patched: a second claim gets a clean account with only the new password.
        await RunAsync(
            [
                Command("deleteClient", ("username", username)),
                Command("deleteRole", ("rolename", role)),
                Command("createRole", ("rolename", role), ("textdescription", _owner), ("acls", acls)),
                Command(
                    "createClient",
                    ("username", username),
                    ("password", password),
                    ("clientid", username),
                    ("textdescription", _owner),
                    ("roles", new JsonArray(new JsonObject { ["rolename"] = role }))),
            ],
            ct);
        LogProvisioned(_logger, deviceId);
    }

    public async Task RevokeAsync(Guid organizationId, Guid deviceId, CancellationToken ct)
    {
        // Deleting the client also disconnects it.
        await RunAsync([Command("deleteClient", ("username", deviceId.ToString("D"))), Command("deleteRole", ("rolename", RoleOf(deviceId)))], ct);
        LogRevoked(_logger, deviceId);
    }

    /// <summary>Removes the plugin's clients of this server whose device is no longer in the store (removed while the server was away).</summary>
    public async Task OnConnectedAsync(CancellationToken ct)
    {
        var answers = await RunAsync([Command("listClients", ("verbose", true), ("count", -1), ("offset", 0))], ct);
        var ours = new List<Guid>();
        foreach (var client in answers[0]["data"]?["clients"]?.AsArray() ?? [])
        {
            if (client?["textdescription"]?.GetValue<string>() == _owner
                && Guid.TryParseExact(client["username"]?.GetValue<string>(), "D", out var id))
            {
                ours.Add(id);
            }
        }

        if (ours.Count == 0)
        {
            return;
        }

        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var kept = await db.Devices.IgnoreQueryFilters()
            .Where(d => ours.Contains(d.Id) && d.SecretHash != null)
            .Select(d => d.Id)
            .ToListAsync(ct);
        var stale = ours.Except(kept).ToList();
        if (stale.Count == 0)
        {
            return;
        }

        await RunAsync(
            [.. stale.SelectMany(id => new[] { Command("deleteClient", ("username", id.ToString("D"))), Command("deleteRole", ("rolename", RoleOf(id))) })],
            ct);
        LogReconciled(_logger, stale.Count);
    }

    private static JsonObject Acl(string type, string topic) =>
        new() { ["acltype"] = type, ["topic"] = topic, ["priority"] = 0, ["allow"] = true };

    private static JsonObject Command(string name, params (string Key, JsonNode? Value)[] fields)
    {
        var command = new JsonObject { ["command"] = name };
        foreach (var (key, value) in fields)
        {
            command[key] = value;
        }

        return command;
    }

    /// <summary>Sends the commands in one message and returns their answers in order; a failed command (other than deleting what is not there) throws.</summary>
    private async Task<JsonObject[]> RunAsync(JsonObject[] commands, CancellationToken ct)
    {
        var pending = new List<(string Id, TaskCompletionSource<JsonObject> Answer, string Command)>();
        foreach (var command in commands)
        {
            var id = Guid.NewGuid().ToString("N");
            command["correlationData"] = id;
            var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[id] = answer;
            pending.Add((id, answer, command["command"]!.GetValue<string>()));
        }

        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["commands"] = new JsonArray(commands) });
            if (!await _connection.PublishAsync(GatewayConnection.DynamicSecurityTopic, payload, ct))
            {
                throw new InvalidOperationException("The broker cannot be reached to change device accounts.");
            }

            var results = new JsonObject[pending.Count];
            for (var i = 0; i < pending.Count; i++)
            {
                var answer = await pending[i].Answer.Task.WaitAsync(AnswerTimeout, ct);
                var error = answer["error"]?.GetValue<string>();
                if (error is not null && !(error.EndsWith("not found", StringComparison.OrdinalIgnoreCase) && pending[i].Command.StartsWith("delete", StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException($"The broker's dynamic-security plugin refused {pending[i].Command}: {error}");
                }

                results[i] = answer;
            }

            return results;
        }
        finally
        {
            foreach (var (id, _, _) in pending)
            {
                _waiting.TryRemove(id, out _);
            }
        }
    }

    private void OnResponse(byte[] payload)
    {
        try
        {
            foreach (var response in JsonNode.Parse(payload)?["responses"]?.AsArray() ?? [])
            {
                if (response is JsonObject answer
                    && answer["correlationData"]?.GetValue<string>() is { } id
                    && _waiting.TryGetValue(id, out var waiting))
                {
                    waiting.TrySetResult(answer);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            LogUnreadableResponse(_logger, payload.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} was given its account on the broker")]
    private static partial void LogProvisioned(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} was removed from the broker and disconnected")]
    private static partial void LogRevoked(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} broker accounts of devices that are no longer in the store")]
    private static partial void LogReconciled(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read an answer of the broker's dynamic-security plugin ({Size} bytes)")]
    private static partial void LogUnreadableResponse(ILogger logger, int size);
}
