/** Entry point: decide who is signed in, then show the chat or the sign-in pages. */
import { render } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { UserView } from '../../src/protocol/index.js'
import { Api } from './api.js'
import { createChatClient } from './app.js'
import { currentRoute, navigate, type Route } from './router.js'
import { AuthPage } from './views/AuthPage.js'
import { ChatPage } from './views/ChatPage.js'

const api = new Api()

/** undefined while /api/session is in flight; null when signed out. */
type Session = UserView | null | undefined

function App() {
  const [route, setRoute] = useState<Route>(currentRoute())
  const [user, setUser] = useState<Session>(undefined)
  /** From the session; unknown (undefined) after signing in on the page. */
  const [admin, setAdmin] = useState<boolean | undefined>(undefined)

  useEffect(() => {
    const onPop = () => setRoute(currentRoute())
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])

  useEffect(() => {
    api.session().then(
      (session) => {
        if (session.user) {
          api.csrfToken = session.csrfToken
          setAdmin(session.admin)
        }
        setUser(session.user)
      },
      () => setUser(null),
    )
  }, [])

  // One chat client per signed-in user, alive while the chat page is shown.
  const chatShown = Boolean(user) && route === '/'
  const chat = useMemo(() => {
    if (!user || !chatShown) return null
    return createChatClient(
      api,
      user,
      () => {
        setUser(null)
        setAdmin(undefined)
        navigate('/login', true)
      },
      admin,
    )
    // The admin flag comes with the user (set just before it): a new client only for a new user.
  }, [user, chatShown])

  useEffect(() => {
    if (!chat) return
    chat.start()
    return () => chat.stop()
  }, [chat])

  useEffect(() => {
    if (user === null && route === '/') navigate('/login', true)
    if (user && route !== '/') navigate('/', true)
  }, [user, route])

  useEffect(() => {
    document.title =
      route === '/login'
        ? 'Sign in · Eddy'
        : route === '/register'
          ? 'Create account · Eddy'
          : 'Eddy'
  }, [route])

  if (user === undefined)
    return <div class="splash" role="status" aria-busy="true" aria-label="Loading" />
  if (chat) return <ChatPage chat={chat} />
  if (!user && route !== '/')
    return (
      <AuthPage
        api={api}
        mode={route === '/register' ? 'register' : 'login'}
        onSignedIn={setUser}
      />
    )
  return <div class="splash" role="status" aria-busy="true" aria-label="Loading" />
}

const root = document.getElementById('app')
if (root) render(<App />, root)
