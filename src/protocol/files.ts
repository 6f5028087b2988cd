/** Uploaded files on the wire: the file object a message's `attachments` carry, and where a file is served. */
import { z } from 'zod'
import { RoomName } from './names.js'

/** Server-made ids (random UUIDs); the pattern also keeps an id safe as a path or key part. */
export const FileId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a file id')

/** Parse ceiling only: the configured per-message limit (MAX_ATTACHMENTS) is the domain's. */
export const MAX_ATTACHMENTS_PARSE = 64
export const Attachments = z.array(FileId).max(MAX_ATTACHMENTS_PARSE)

/**
 * An uploaded file as clients see it. `type` is what its bytes are (sniffed by the server, never
 * the client's word); `width` and `height` are known for the images served inline.
 */
export const FileView = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  type: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  url: z.string(),
})
export type FileView = z.infer<typeof FileView>

export const UploadResponse = z.object({ file: FileView })
export type UploadResponse = z.infer<typeof UploadResponse>

export const FileParams = z.strictObject({ room: RoomName, id: FileId })
