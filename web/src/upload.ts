/**
 * Uploads a file to a room for a message to come, reporting the bytes sent. XMLHttpRequest, not
 * fetch: only it reports upload progress in every browser. Kept apart from api.ts, which the
 * Node-side tests import (Node has no XMLHttpRequest).
 */
import type { FileView } from '../../src/protocol/index.js'
import { ApiError, csrfHeader, toApiError } from './api.js'

export function uploadFile(
  room: string,
  file: Blob,
  name: string,
  csrfToken: string,
  onProgress: (sent: number, total: number) => void,
  signal: AbortSignal,
): Promise<FileView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/rooms/${encodeURIComponent(room)}/files`)
    xhr.setRequestHeader('accept', 'application/json')
    if (csrfToken) xhr.setRequestHeader(csrfHeader, csrfToken)
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total)
    xhr.onload = () => {
      const parsed = safeJson(xhr.responseText)
      if (xhr.status === 201) return resolve((parsed as { file: FileView }).file)
      const retryAfter = xhr.getResponseHeader('retry-after') ?? ''
      reject(
        toApiError(
          {
            status: xhr.status,
            statusText: xhr.statusText,
            headers: new Headers({ 'retry-after': retryAfter }),
          },
          parsed,
        ),
      )
    }
    xhr.onerror = () =>
      reject(new ApiError(0, 'network', 'Cannot reach the server. Check your connection.'))
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
    signal.addEventListener('abort', () => xhr.abort(), { once: true })
    const form = new FormData()
    form.append('file', file, name)
    xhr.send(form)
  })
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}
