/**
 * Which characters text and ids may carry: nothing a storage engine refuses (so no batch ever
 * meets a row it cannot store), no invisible-only messages, no bidi controls that reorder text.
 */

/**
 * U+0000 (PostgreSQL refuses it in text: SQLSTATE 22021) and unpaired UTF-16 surrogates (no
 * UTF-8 form: drivers silently store U+FFFD instead, so a cid would no longer match itself).
 */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** C0/C1 controls other than tab, line feed and carriage return: terminal escapes, never prose. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const TEXT_CONTROLS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/

/**
 * Explicit bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI). Paired
 * or not, they reorder what they enclose: `\u202Eexe.txt` displays as "txt.exe". Right-to-left
 * scripts are ordered by the bidi algorithm without them, and the implicit marks (LRM, RLM, ALM),
 * which cannot reorder Latin letters in a left-to-right page, stay allowed.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/

/**
 * What renders as nothing: whitespace, controls, format characters (zero-width space and joiners,
 * BOM, tags), Unicode's default-ignorables (variation selectors, the combining grapheme joiner,
 * Hangul fillers, soft hyphen) and the blank Braille pattern.
 */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/gu

/** Why a message text cannot be sent, or undefined when it is fine (length is checked apart). */
export function textProblem(text: string): string | undefined {
  if (UNSTORABLE.test(text)) return 'must not contain U+0000 or unpaired surrogates'
  if (TEXT_CONTROLS.test(text)) return 'must not contain control characters'
  if (BIDI_CONTROLS.test(text))
    return 'must not contain bidirectional override or isolate controls (U+202A-U+202E, U+2066-U+2069)'
  if (text.replace(INVISIBLE, '') === '') return 'must not be blank or only invisible characters'
  return undefined
}

/** Ids (cids and the like): printable, storable characters only. */
export function idProblem(id: string): string | undefined {
  if (UNSTORABLE.test(id)) return 'must not contain U+0000 or unpaired surrogates'
  if (/[\p{Cc}\p{Cf}]/u.test(id)) return 'must not contain control or format characters'
  return undefined
}

/** True when every engine can store the string unchanged (the store's last line of defence). */
export function isStorable(value: string): boolean {
  return !UNSTORABLE.test(value)
}
