import type PDFDocument from 'pdfkit';

// pdfkit (0.20) writes a document as hundreds of small pieces: every content operator and every line of every object
// is a string that it copies into its own Uint8Array one character at a time (fromBinaryString), then pushes through
// its Readable stream one piece per line. For a certificate that bookkeeping cost about as much as laying out its text.
// Here the pieces are kept as the strings they are and joined once, so the bytes are the same and the copying is
// done by Buffer in one pass. Only the two methods every piece goes through are replaced, on this document alone.

type Doc = InstanceType<typeof PDFDocument>;

/** What pdfkit gives `_write` and a reference's `write`: a binary string (one byte per character) or bytes. */
type Piece = string | Uint8Array;

interface Internals {
  _offset: number;
  _write(data: Piece): void;
  _finalize(): void;
  ref(data?: object): Reference;
}

interface Reference {
  data: { Length?: number; Filter?: string };
  compress: boolean;
  uncompressedLength: number;
  buffer: Uint8Array[] | Uint8Array;
  write(chunk: Piece): void;
  finalize(): void;
}

/**
 * Pieces joined in order: runs of strings are converted together. pdfkit's `chunk & 0xff` per character is what
 * Buffer's latin1 encoding does.
 */
class Pieces {
  private readonly parts: Uint8Array[] = [];
  private text = '';

  add(piece: Piece): void {
    if (typeof piece === 'string') {
      this.text += piece;
      return;
    }
    this.flush();
    this.parts.push(piece);
  }

  /** The pieces so far as one list of byte arrays, in order. */
  take(): Uint8Array[] {
    this.flush();
    return this.parts.splice(0);
  }

  private flush(): void {
    if (!this.text) return;
    this.parts.push(Buffer.from(this.text, 'latin1'));
    this.text = '';
  }
}

/** A piece as pdfkit writes it: a string as one line, bytes as they are. A string's length is its length in bytes. */
const asPiece = (chunk: Piece): Piece => (typeof chunk === 'string' ? `${chunk}\n` : chunk);

/** Streams (page content, fonts, maps) collect their pieces the same way and hand them to pdfkit's finalize as bytes. */
function collectStream(ref: Reference): void {
  const pieces = new Pieces();
  const finalize = ref.finalize.bind(ref);
  ref.write = (chunk) => {
    const piece = asPiece(chunk);
    pieces.add(piece);
    ref.uncompressedLength += piece.length;
    ref.data.Length = (ref.data.Length ?? 0) + piece.length;
    if (ref.compress) ref.data.Filter = 'FlateDecode';
  };
  ref.finalize = () => {
    ref.buffer = pieces.take();
    finalize();
  };
}

/**
 * The document's bytes, complete once `doc.end()` has run. Call it on a document made without its first page
 * (`autoFirstPage: false`) and before anything is added, so that every stream of it collects its pieces.
 */
export function documentBytes(doc: Doc): Promise<Buffer> {
  const internals = doc as unknown as Internals;
  const out = new Pieces();
  // The file header, written by the constructor, waits in the stream.
  const header = doc.read() as Buffer | null;
  if (header) out.add(header);
  internals._write = (data) => {
    const piece = asPiece(data);
    out.add(piece);
    internals._offset += piece.length;
  };
  const ref = internals.ref.bind(doc);
  internals.ref = (data) => {
    const made = ref(data);
    collectStream(made);
    return made;
  };
  return new Promise((resolve, reject) => {
    const finalize = internals._finalize.bind(doc);
    internals._finalize = () => {
      try {
        finalize();
        resolve(Buffer.concat(out.take()));
      } catch (error) {
        reject(error);
      }
    };
  });
}
