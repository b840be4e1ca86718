using System.Globalization;
using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Infrastructure;
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
    /// Set by <see cref="SetNotFound"/>. A page that shows an item begins its markup with
    /// <c>@if (IsNotFound) { return; }</c>: the framework still renders the page once after a not-found
    /// (the router then puts the not-found page in its place), and markup written for an item it does
    /// not have would fail with a 500 instead.
    /// </summary>
    protected bool IsNotFound { get; private set; }

    /// <summary>
    /// Answers 404 with the not-found page (<c>Pages/NotFound.razor</c>, the router's), for an item that is
    /// not there or belongs to another organization, which is never told apart. The console's one way of
    /// saying "not found"; the caller returns at once and its markup renders nothing (<see cref="IsNotFound"/>).
    /// </summary>
    protected void SetNotFound()
    {
        IsNotFound = true;
        Navigation.NotFound();
    }

    /// <summary>
    /// A <c>?page=</c> value as a page number from 1; anything else (not a number, below 1, or so far on
    /// that the rows before it could not be counted) reads as the first page rather than failing the page.
    /// </summary>
    protected static int PageOf(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page is >= 1 and <= Paging.MaxPage ? page : 1;

    /// <summary>A route or query value as an ID; anything else reads as none.</summary>
    protected static Guid? ParseId(string? value) => Guid.TryParse(value, out var id) ? id : null;
}
