/** Response bodies delivered in chosen pieces, to test parsers on any split of their bytes. */

const encoder = new TextEncoder();

/** A body delivering `chunks` one per read (strings UTF-8 encoded); `cancelled` settles when the reader lets go early. */
export function chunkedBody(chunks: Array<Uint8Array | string>): ReadableStream<Uint8Array> & { cancelled: Promise<void> } {
  let i = 0;
  let onCancel = () => {};
  const cancelled = new Promise<void>((resolve) => (onCancel = resolve));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
    },
    cancel() {
      onCancel();
    },
  });
  return Object.assign(stream, { cancelled });
}

/** Cuts `bytes` at the given offsets (taken modulo length + 1, repeats dropped); pieces may be empty. */
export function cutAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    parts.push(bytes.slice(start, p));
    start = p;
  }
  return parts;
}
