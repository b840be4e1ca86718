using System.Reflection;

namespace Gatehouse.Device;

/// <summary>The agent's software version, as the build stamped it (the assembly's informational version).</summary>
internal static class AgentVersion
{
    public static string Current { get; } =
        typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AgentVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
