using Gatehouse.Server.Features.AdminConsole;
using Microsoft.AspNetCore.Components;

namespace Gatehouse.Server.Components;

/// <summary>
/// The base of a console page (<c>@inherits ConsolePage</c>): the request, the signed-in admin, and the
/// post-redirect-get step after a successful change.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;

    [Inject] private protected ConsoleUser Me { get; set; } = default!;

    [Inject] private protected NavigationManager Navigation { get; set; } = default!;

    [Inject] private protected Flash Flash { get; set; } = default!;

    protected CancellationToken Ct => HttpContext.RequestAborted;

    /// <summary>True when the admin may change things (admin or owner); viewers see pages read-only.</summary>
    protected bool CanEdit => Me.CanEdit;

    /// <summary>Redirects (303 after a post) to <paramref name="url"/>, showing <paramref name="message"/> there once.</summary>
    protected void RedirectWithMessage(string url, string message)
    {
        Flash.Set(message);
        Navigation.NavigateTo(url);
    }

    /// <summary>
    /// Answers 404 with the not-found page, for an item that is not there or belongs to another
    /// organization (which is never told apart). Rendering of the current page stops.
    /// </summary>
    protected void SetNotFound() => Navigation.NotFound();

    /// <summary>A route or query value as an ID; anything else reads as none.</summary>
    protected static Guid? ParseId(string? value) => Guid.TryParse(value, out var id) ? id : null;
}
