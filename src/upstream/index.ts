/** What the composition root wires in from upstream/: the shared client with the movies feed and link previews on it. */
export { topTitles } from './movies.js'
export { createUpstreams, type Upstreams } from './upstreams.js'
