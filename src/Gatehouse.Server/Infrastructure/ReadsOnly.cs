namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Marks a POST that changes nothing (it only evaluates, like <c>POST /access/decisions</c>), so viewers
/// may call it although it is not a GET.
/// </summary>
internal sealed class ReadsOnlyMetadata
{
    public static readonly ReadsOnlyMetadata Instance = new();
}

internal static class ReadsOnlyExtensions
{
    public static TBuilder ReadsOnly<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(ReadsOnlyMetadata.Instance);
}
