/** The path of a certificate's verification page, under PUBLIC_URL (contract section 6). */
export const verificationPath = (certificateNumber: string) => `/verify/${encodeURIComponent(certificateNumber)}`;

/** PUBLIC_URL without its trailing slashes: a loop, since `/\/+$/` rescans every run of slashes (quadratic). */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

/** The address a certificate prints and its QR code carries. */
export const verificationUrl = (publicUrl: string, certificateNumber: string) =>
  `${withoutTrailingSlashes(publicUrl)}${verificationPath(certificateNumber)}`;
