/** Types for precompress.mjs (imported by web/vite.config.ts). */
export declare function precompress(dir: string): number
