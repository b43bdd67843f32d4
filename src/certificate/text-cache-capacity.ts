/**
 * Texts each of the certificate's caches keeps (shaped words per font, pdfkit's layouts per font, font runs, line
 * counts). What recurs (labels, dates, product names) is found again; the codes, numbers and names each certificate
 * brings are used once, and every one of them is held until newer ones push it out: for the garbage collector to walk,
 * and a large part of a worker's live heap. Enough for the texts that recur across a day's certificates in several
 * languages; more buys no CPU (measured in the commit that set it).
 */
export const TEXT_CACHE_CAPACITY = 1_000;
