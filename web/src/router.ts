/** Client-side routing over the three paths the server answers with index.html. */
export type Route = '/' | '/login' | '/register'

export function currentRoute(): Route {
  const path = location.pathname
  return path === '/login' || path === '/register' ? path : '/'
}

export function navigate(route: Route, replace = false): void {
  if (location.pathname === route) return
  if (replace) history.replaceState(null, '', route)
  else history.pushState(null, '', route)
  dispatchEvent(new PopStateEvent('popstate'))
}

/** A click handler for <a href="/x"> that routes in-app unless the user asked for a new tab. */
export function linkTo(route: Route): (event: MouseEvent) => void {
  return (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return
    event.preventDefault()
    navigate(route)
  }
}
