// Files that survive a crash: an append-only log of JSON lines and a snapshot replaced whole.
export * from './append-log';
export * from './snapshot-file';
export * from './folder-lock';
