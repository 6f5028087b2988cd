/** The one error catalogue: code → HTTP status, WebSocket close code (when fatal) and default message. */

export const WS_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  invalidPayload: 1007,
  tooBig: 1009,
  internal: 1011,
  tryAgainLater: 1013,
  /** The socket's session ended (logout, expiry, password change, "log out everywhere"): sign in again. */
  sessionEnded: 4001,
  /** The account was banned by a server admin; reconnecting will not help. */
  accountBanned: 4003,
} as const

interface ErrorSpec {
  readonly status: number
  readonly message: string
}

export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is not valid; see the error message.' },
  invalid_json: { status: 400, message: 'The frame is not valid JSON.' },
  invalid_frame: {
    status: 400,
    message: 'The frame does not match the protocol; see docs/protocol.md.',
  },
  unknown_frame_type: {
    status: 400,
    message: 'Unknown frame type; expected join, leave, send, edit, delete, react, typing or read.',
  },
  invalid_text: { status: 400, message: 'Message text must be 1-4000 characters.' },
  invalid_emoji: {
    status: 400,
    message: 'A reaction is exactly one emoji, or a :name: from the list in docs/protocol.md.',
  },
  invalid_reply: {
    status: 400,
    message: 'replyTo must be the seq of a message in the same room.',
  },
  weak_password: {
    status: 400,
    message: 'Choose a stronger password: 8+ characters, not your username, not a common one.',
  },
  unstorable: {
    status: 400,
    message:
      'The store cannot hold a character in this message or id (e.g. U+0000); change it rather than retrying.',
  },
  unauthorized: {
    status: 401,
    message: 'Sign in first: send the sid cookie or Authorization: Bearer.',
  },
  invalid_credentials: { status: 401, message: 'Wrong username or password.' },
  wrong_password: { status: 403, message: 'The current password is wrong.' },
  banned: { status: 403, message: 'This account is banned; ask a server admin.' },
  registration_closed: {
    status: 403,
    message: 'Registration is closed here; ask a server admin to create your account.',
  },
  not_admin: {
    status: 403,
    message: 'Only server admins (named in ADMIN_USERS) can do that.',
  },
  cannot_ban_admin: {
    status: 403,
    message: 'Server admins cannot be banned; remove them from ADMIN_USERS first.',
  },
  forbidden_origin: {
    status: 403,
    message: 'This Origin is not allowed; add it to ALLOWED_ORIGINS.',
  },
  csrf_failed: {
    status: 403,
    message: 'Missing or wrong x-csrf-token header for a cookie-authenticated request.',
  },
  not_joined: { status: 403, message: 'Join the room before sending to it.' },
  not_room_owner: {
    status: 403,
    message: "Only the room's creator or a server admin (ADMIN_USERS) may delete it.",
  },
  room_protected: { status: 403, message: 'The lobby cannot be deleted.' },
  too_many_rooms: {
    status: 403,
    message: 'You have created as many rooms as allowed (MAX_ROOMS_PER_USER); delete one first.',
  },
  forbidden: {
    status: 403,
    message: 'Your role in this room does not allow that; ask a room owner or admin.',
  },
  last_owner: {
    status: 400,
    message: 'A room keeps at least one owner; make someone else owner first.',
  },
  invalid_attachment: {
    status: 400,
    message:
      'Attach only files you uploaded to this room and have not attached to another message.',
  },
  no_file: {
    status: 400,
    message: 'Send the file as multipart/form-data in a field named "file".',
  },
  not_your_message: {
    status: 403,
    message:
      'You can edit only your own messages, and delete others only as a room owner or admin.',
  },
  not_found: { status: 404, message: 'Not found.' },
  message_not_found: { status: 404, message: 'No message with that seq in this room.' },
  file_not_found: { status: 404, message: 'No such file in this room.' },
  too_many_reactions: {
    status: 409,
    message: 'This message has as many different reactions as allowed; add one of those instead.',
  },
  message_deleted: {
    status: 409,
    message: 'That message was deleted: it can no longer be edited or reacted to.',
  },
  user_not_found: { status: 404, message: 'No user with that name.' },
  room_not_found: { status: 404, message: 'No such room; create it with POST /api/rooms.' },
  username_taken: { status: 409, message: 'That username is taken.' },
  username_reserved: {
    status: 409,
    message: 'That username is reserved: it looks like the name of a bot. Choose another.',
  },
  room_exists: { status: 409, message: 'A room with that name exists already.' },
  request_timeout: { status: 408, message: 'The request took too long to arrive.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  file_too_large: {
    status: 413,
    message: 'The file is larger than this server accepts (MAX_UPLOAD_BYTES).',
  },
  range_not_satisfiable: {
    status: 416,
    message: 'The requested byte range lies outside the file.',
  },
  uri_too_long: {
    status: 414,
    message: 'A segment of the URL is too long; names are at most 32 characters.',
  },
  headers_too_large: {
    status: 431,
    message: 'The request headers are too large (cookies included); the limit is 16 KiB.',
  },
  rate_limited: { status: 429, message: 'Too many requests; slow down and retry later.' },
  too_many_connections: {
    status: 429,
    message: 'Too many open connections for this user; close a tab and retry.',
  },
  too_many_polls: {
    status: 429,
    message: 'Too many parked long-polls for this user (MAX_POLLS_PER_USER); poll fewer rooms.',
  },
  internal: { status: 500, message: 'Something went wrong on our side.' },
  upstream_error: { status: 502, message: 'The upstream service failed or timed out.' },
  store_unavailable: {
    status: 503,
    message: 'Storage is unavailable; the message was not stored. Retry with the same cid.',
  },
  presence_unavailable: {
    status: 503,
    message: 'The online list is unavailable right now (presence engine down); retry shortly.',
  },
  shutting_down: { status: 503, message: 'The server is restarting; reconnect in a moment.' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof ERRORS

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code)
}
