namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Marks a property whose value never enters the audit log (hashes, secrets, biometrics). The log still
/// records that it changed, so "password changed" stays visible without the password.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AuditRedactAttribute : Attribute;

/// <summary>
/// Marks bookkeeping that is not a change anyone made (sign-in counters, sessions, last-seen times):
/// on a property it is left out of the audit log; on an entity, the entity is never logged.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
internal sealed class AuditIgnoreAttribute : Attribute;
