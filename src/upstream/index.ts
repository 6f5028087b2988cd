/** What the server wires in from upstream/: the shared client, the movies feed and link previews. */
export {
  createHttpClient,
  isUpstreamError,
  UpstreamError,
  type HttpClient,
  type HttpClientOptions,
  type RequestOptions,
  type UpstreamReason,
  type UpstreamResponse,
} from './http-client.js'
export {
  createMoviesService,
  DEFAULT_MOVIES_URL,
  topTitles,
  type MoviesService,
  type MoviesServiceOptions,
} from './movies.js'
export { extractUrls, fetchPreview, type FetchPreviewOptions } from './link-preview-fetch.js'
export {
  createLinkPreviewer,
  type LinkPreviewer,
  type LinkPreviewerOptions,
} from './link-preview-queue.js'
export { isBlockedAddress } from './ssrf-guard.js'
export { createUpstreams, type Upstreams, type UpstreamsOptions } from './upstreams.js'
