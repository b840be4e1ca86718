namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// An entity that belongs to one organization. The DbContext filters every query on it by the current
/// organization and stamps new ones with it, so tenancy is built in rather than remembered.
/// </summary>
internal interface ITenantOwned
{
    Guid OrganizationId { get; set; }
}
