using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// The JSON of every protocol message, shared by server and device: camelCase, enums as camelCase strings,
/// nulls left out. Unknown fields are ignored, so a newer peer may add fields without breaking an older one.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ClaimRequest))]
[JsonSerializable(typeof(ClaimResponse))]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSerializable(typeof(SyncRequest))]
[JsonSerializable(typeof(SyncMessage))]
[JsonSerializable(typeof(EventBatch))]
[JsonSerializable(typeof(EventAck))]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(DeviceReply))]
public sealed partial class DeviceProtocolJson : JsonSerializerContext;
