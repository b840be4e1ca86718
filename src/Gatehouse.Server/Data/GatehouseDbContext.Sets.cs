using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Devices.Enrollments;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Data;

internal abstract partial class GatehouseDbContext
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Admin> Admins => Set<Admin>();

    public DbSet<AdminSession> AdminSessions => Set<AdminSession>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Site> Sites => Set<Site>();

    public DbSet<Door> Doors => Set<Door>();

    public DbSet<Schedule> Schedules => Set<Schedule>();

    public DbSet<AccessGroup> AccessGroups => Set<AccessGroup>();

    public DbSet<AccessGroupDoor> AccessGroupDoors => Set<AccessGroupDoor>();

    public DbSet<User> Users => Set<User>();

    public DbSet<UserAccessGroup> UserAccessGroups => Set<UserAccessGroup>();

    public DbSet<Credential> Credentials => Set<Credential>();

    public DbSet<AccessEvent> AccessEvents => Set<AccessEvent>();

    public DbSet<Device> Devices => Set<Device>();

    public DbSet<DeviceDoor> DeviceDoors => Set<DeviceDoor>();

    public DbSet<DeviceState> DeviceStates => Set<DeviceState>();

    public DbSet<RemoteUnlockCommand> RemoteUnlockCommands => Set<RemoteUnlockCommand>();

    public DbSet<Enrollment> Enrollments => Set<Enrollment>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<FaceInvitation> FaceInvitations => Set<FaceInvitation>();

    public DbSet<RateLimitCounter> RateLimitCounters => Set<RateLimitCounter>();

    public DbSet<FaceSettings> FaceSettings => Set<FaceSettings>();

    public DbSet<FaceConsentNotice> FaceConsentNotices => Set<FaceConsentNotice>();

    public DbSet<MobileChallenge> MobileChallenges => Set<MobileChallenge>();
}
