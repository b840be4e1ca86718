using Microsoft.Extensions.Options;

namespace Gatehouse.Device;

/// <summary>
/// The door-device agent's entry point (see README.md beside this file). A named class rather than top-level
/// statements, so it does not clash with the server's <c>Program</c> where both are loaded (the tests).
/// </summary>
internal static class AgentProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (!AgentArguments.TryParse(args, out var arguments, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            return AgentExitCodes.Usage;
        }

        AgentHost agent;
        try
        {
            agent = await AgentHost.CreateAsync(arguments);
        }
        catch (AgentStartException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return e.ExitCode;
        }

        await using (agent)
        {
            try
            {
                await agent.StartAsync();
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"The agent's configuration is not valid: {string.Join(" ", e.Failures)}");
                return AgentExitCodes.Configuration;
            }
            catch (IOException e)
            {
                // Kestrel could not bind a simulator URL (in use, or not an address of this machine).
                await Console.Error.WriteLineAsync($"Cannot serve the simulator: {e.Message}");
                return AgentExitCodes.Configuration;
            }

            // Until Ctrl+C or SIGTERM; the host then stops every service (the connection says "offline" first).
            await agent.WaitForShutdownAsync();
        }

        return 0;
    }
}
