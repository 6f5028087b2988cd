/** axe-core and tap-target checks shared by the accessibility tests. */
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'

const AXE_SOURCE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname,
  'utf8',
)
export const VIEWPORTS = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 375, height: 740 }],
] as const

/** Each violation as "rule: selector, selector". */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a <script>: the page's CSP (script-src 'self') would block it.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE_SOURCE)
  return page.evaluate<string[]>(
    `axe.run(document).then((r) => r.violations.map((v) =>
      v.id + ': ' + v.nodes.map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | ')))`,
  )
}

/**
 * Scans the page as it stands in the light and the dark scheme, recording each under
 * "state (scheme)": one walk through the app covers both, instead of one walk per scheme.
 */
export async function scanBothSchemes(
  page: Page,
  found: Record<string, string[]>,
  state: string,
): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    found[`${state} (${colorScheme})`] = await axeViolations(page)
  }
}

/**
 * Visible buttons, links and fields smaller than 44 px on a side. Sub-pixel layout (a flex row's
 * fractional widths) may give a 44 px box as 43.99: half a pixel is allowed, as the report rounds.
 */
export function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(
    `[...document.querySelectorAll('button, a[href]:not(p a), input, textarea, select')]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => [el, el.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && (r.width < 43.5 || r.height < 43.5))
      .map(([el, r]) => (el.getAttribute('aria-label') || el.textContent.trim() || el.tagName) +
        ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`,
  )
}

/** Every recorded list empty: one assertion naming every state that had violations. */
export function noneFound(found: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(found).map((k) => [k, []]))
}
