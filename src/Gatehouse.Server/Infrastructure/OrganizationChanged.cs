namespace Gatehouse.Server.Infrastructure;

/// <summary>The kinds of rows a save changed in an organization.</summary>
[Flags]
internal enum ChangeKinds
{
    None = 0,

    /// <summary>Users' own rows (added, edited or removed).</summary>
    Users = 1 << 0,

    /// <summary>Credentials (cards, PINs, mobile keys…), added, edited or removed.</summary>
    Credentials = 1 << 1,

    /// <summary>Who belongs to which access group; also set when a user is removed, whose memberships go with it.</summary>
    Memberships = 1 << 2,

    /// <summary>Access groups and the doors they open.</summary>
    AccessGroups = 1 << 3,

    Schedules = 1 << 4,

    Doors = 1 << 5,

    Sites = 1 << 6,

    /// <summary>Devices and the doors they serve.</summary>
    Devices = 1 << 7,

    /// <summary>Messages queued in the outbox.</summary>
    OutboxMessages = 1 << 8,

    /// <summary>Everything an access decision reads.</summary>
    Access = Users | Credentials | Memberships | AccessGroups | Schedules | Doors | Sites,
}

/// <summary>How far a change has got.</summary>
internal enum ChangeStage
{
    /// <summary>Saved inside an explicit transaction that has not committed: other connections still read the old rows.</summary>
    SavedInTransaction,

    /// <summary>Visible to every reader: a save outside a transaction, or the commit of the transaction it ran in.</summary>
    Committed,
}

/// <summary>
/// What one save (or one committed transaction) changed in one organization.
/// </summary>
/// <param name="OrganizationId">The organization; null when some changed row's organization could not be told (treat every organization as changed).</param>
/// <param name="Kinds">The kinds of rows that changed.</param>
/// <param name="Stage">Whether other readers can see the change yet.</param>
/// <param name="Users">The users added or edited (not removed).</param>
/// <param name="Credentials">The credentials added, edited or removed.</param>
internal sealed record OrganizationChanged(
    Guid? OrganizationId, ChangeKinds Kinds, ChangeStage Stage, IReadOnlySet<Guid> Users, IReadOnlySet<Guid> Credentials);

/// <summary>
/// Hears of every change <see cref="OrganizationChangeInterceptor"/> sees. Called on the saving thread, under the
/// context's lock, so it must be quick (set a mark, schedule work) and must not save.
/// </summary>
internal interface IOrganizationChangeListener
{
    void OnChanged(OrganizationChanged change);
}
