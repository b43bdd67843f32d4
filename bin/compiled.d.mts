/** The compiled command line's URL when dist/ is up to date with src/ and queues/, else undefined. */
export function compiledEntry(): string | undefined;
