/** The path of a certificate's verification page, under PUBLIC_URL (contract section 6). */
export const verificationPath = (certificateNumber: string) => `/verify/${encodeURIComponent(certificateNumber)}`;

/** The address a certificate prints and its QR code carries; `publicUrl` has no trailing slash (config.ts). */
export const verificationUrl = (publicUrl: string, certificateNumber: string) =>
  `${publicUrl}${verificationPath(certificateNumber)}`;
