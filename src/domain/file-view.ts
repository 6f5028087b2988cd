/** A file record as clients see it (the `file` of an upload's answer and of a message's attachments). */
import type { FileView } from '../protocol/files.js'
import { fileUrl } from '../protocol/paths.js'
import type { FileRecord } from './ports.js'

export function toFileView(file: FileRecord): FileView {
  const view: FileView = {
    id: file.id,
    name: file.name,
    size: file.size,
    type: file.type,
    url: fileUrl(file.room, file.id),
  }
  if (file.width !== null) view.width = file.width
  if (file.height !== null) view.height = file.height
  return view
}
