using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Data;

internal abstract partial class GatehouseDbContext
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Admin> Admins => Set<Admin>();

    public DbSet<ApiSession> ApiSessions => Set<ApiSession>();
}
