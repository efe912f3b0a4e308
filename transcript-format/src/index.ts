export { FORMAT_VERSION, HEADER_SHARE, FIRST_TURNS_SHARE } from './constants.js';
export { normalizeTranscript } from './normalize.js';
export { write, type WriteOptions } from './write.js';
export { fit } from './fit.js';
export { parse } from './parse.js';
export { roleLabel, ROLE_LABELS } from './labels.js';
export type * from './types.js';
