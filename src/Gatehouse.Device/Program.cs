using Gatehouse.Device;
using Microsoft.Extensions.Options;

// The door-device agent. See README.md beside this file.
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
