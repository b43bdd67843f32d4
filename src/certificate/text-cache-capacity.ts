/**
 * Texts each of the certificate's caches keeps (shaped words per font, pdfkit's layouts per font, font runs, line
 * counts). What recurs (labels, dates, product names) is found again; the codes, numbers and names each certificate
 * brings are used once, and every one of them is held until newer ones push it out. At 20,000 those one-off entries
 * were 70 MB of a worker's heap for the garbage collector to walk. At 4,000 a new certificate costs the same CPU
 * (3,000 rendered in each of two processes side by side, three times: 10.0 ms against 10.2 ms on average, within the
 * rounds' spread) and a worker's peak RSS under load is about 70 MB lower.
 */
export const TEXT_CACHE_CAPACITY = 4_000;
