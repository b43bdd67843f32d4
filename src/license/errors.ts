/** The text is not a license key (or was damaged beyond reading). */
export class KeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFormatError';
  }
}

/** The key was altered, or signed by another key than the one checked against. */
export class KeySignatureError extends Error {
  constructor(message = 'the signature does not match: the key was altered or signed by another signer') {
    super(message);
    this.name = 'KeySignatureError';
  }
}

/** A valid key, but for another device. */
export class KeyDeviceMismatchError extends Error {
  constructor(
    readonly keyDevice: string,
    readonly askedDevice: string,
  ) {
    super(`the key is bound to device ${keyDevice}, not ${askedDevice}`);
    this.name = 'KeyDeviceMismatchError';
  }
}

/**
 * The signing or public key file is missing, unreadable, or not an Ed25519 key: a settings problem, named by variable.
 */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}
