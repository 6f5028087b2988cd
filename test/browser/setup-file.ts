/** Runs in every browser test file: the file's shared Chromium closes when the file is done. */
import { afterAll } from 'vitest'
import { closeChromium } from './support.js'

afterAll(closeChromium)
