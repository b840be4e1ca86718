namespace Gatehouse.Server.Infrastructure;

/// <summary>Marks a property whose value never enters the audit log (hashes, secrets, biometrics).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AuditRedactAttribute : Attribute;
