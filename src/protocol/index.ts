/** The protocol package: the only module the web client imports from the server tree. */
export * from './names.js'
export * from './frames.js'
export * from './api.js'
export * from './files.js'
export * from './paths.js'
export * from './error-codes.js'
export * from './emoji.js'
export * from './search.js'
