/** /login and /register: one form, validated inline against the server's rules, no page reload. */
import { useEffect, useState } from 'preact/hooks'
import type { UserView } from '../../../src/protocol/index.js'
import { ApiError, type Api } from '../api.js'
import { linkTo, navigate } from '../router.js'
import { passwordProblem, usernameProblem } from '../validation.js'
import { Field } from './Field.js'

interface Props {
  readonly api: Api
  readonly mode: 'login' | 'register'
  readonly onSignedIn: (user: UserView) => void
}

export function AuthPage({ api, mode, onSignedIn }: Props) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [touched, setTouched] = useState({ username: false, password: false })
  const [submitted, setSubmitted] = useState(false)
  const [busy, setBusy] = useState(false)
  const [serverError, setServerError] = useState<string | null>(null)
  /** The name the server said is taken: an error at the field until the name changes. */
  const [takenName, setTakenName] = useState<string | null>(null)
  const registering = mode === 'register'
  const taken = registering && takenName !== null && username === takenName

  // Switching between sign-in and register (or arriving) starts at the form's first field.
  useEffect(() => {
    document.getElementById('username')?.focus()
  }, [mode])

  // Focus goes to the field the server refused, once its error is on screen.
  useEffect(() => {
    if (takenName !== null) document.getElementById('username')?.focus()
  }, [takenName])

  // Login only checks presence: the server answers a malformed name like a wrong password.
  const usernameError = taken
    ? 'That username is taken. Try another one.'
    : registering
      ? usernameProblem(username)
      : username
        ? null
        : 'Enter your username.'
  const passwordError = registering
    ? passwordProblem(password)
    : password
      ? null
      : 'Enter your password.'
  const show = (field: 'username' | 'password') => submitted || touched[field]
  // Leaving a field judges it only once something was typed: focus starts in the empty name field,
  // and an error appearing on the way to "Create an account" would move the link from under the
  // pointer between press and release.
  const touch = (field: 'username' | 'password', value: string) => {
    if (value) setTouched((t) => ({ ...t, [field]: true }))
  }

  const submit = async (event: Event) => {
    event.preventDefault()
    setSubmitted(true)
    setServerError(null)
    if (usernameError || passwordError) {
      document.getElementById(usernameError ? 'username' : 'password')?.focus()
      return
    }
    setBusy(true)
    try {
      const auth = registering
        ? await api.register(username, password)
        : await api.login(username, password)
      api.csrfToken = auth.csrfToken
      onSignedIn(auth.user)
      navigate('/', true)
    } catch (error: unknown) {
      if (registering && error instanceof ApiError && error.code === 'username_taken')
        setTakenName(username)
      else setServerError(describe(error, registering))
      setBusy(false)
    }
  }

  return (
    <main class="auth">
      <form
        class="auth-card"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-labelledby="auth-title"
      >
        <div class="brand" aria-hidden="true">
          <span class="brand-mark">e</span> Eddy
        </div>
        <h1 id="auth-title">{registering ? 'Create your account' : 'Welcome back'}</h1>
        <p class="muted">
          {registering ? 'Pick a name people will see in chat.' : 'Sign in to continue chatting.'}
        </p>
        {serverError && (
          <p class="form-error" role="alert">
            {serverError}
          </p>
        )}
        <Field
          id="username"
          label="Username"
          value={username}
          autoComplete="username"
          hint={registering ? '1-32 letters, digits, "_", "-" or "."' : null}
          error={show('username') ? usernameError : null}
          onInput={setUsername}
          onBlur={() => touch('username', username)}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          value={password}
          autoComplete={registering ? 'new-password' : 'current-password'}
          hint={registering ? 'At least 8 characters, not a common password.' : null}
          error={show('password') ? passwordError : null}
          onInput={setPassword}
          onBlur={() => touch('password', password)}
        />
        <button class="primary wide" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : registering ? 'Create account' : 'Sign in'}
        </button>
        <p class="switch">
          {registering ? 'Already have an account? ' : 'New to Eddy? '}
          <a
            href={registering ? '/login' : '/register'}
            onClick={linkTo(registering ? '/login' : '/register')}
          >
            {registering ? 'Sign in' : 'Create an account'}
          </a>
        </p>
      </form>
    </main>
  )
}

function describe(error: unknown, registering: boolean): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.'
  switch (error.code) {
    case 'username_taken':
      return 'That username is taken. Try another one.'
    case 'invalid_credentials':
      return 'Wrong username or password.'
    case 'registration_closed':
      return 'Registration is closed on this server. Ask a server admin to create your account.'
    case 'banned':
      return 'This account is banned. Ask a server admin if you think this is a mistake.'
    case 'rate_limited': {
      const wait = error.retryAfterSeconds
      const when = wait ? `in ${wait} second${wait === 1 ? '' : 's'}` : 'in a little while'
      return `Too many attempts. Please try again ${when}.`
    }
    case 'network':
      return error.message
    default:
      return error.message || (registering ? 'Could not create the account.' : 'Could not sign in.')
  }
}
