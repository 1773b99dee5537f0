/** What the code under test writes to stdout and stderr (where Powertools loggers and EMF lines go) while `fn` runs. */
export async function captureOutput(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((st) => st.write);
  streams.forEach((st, i) => {
    st.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(String(chunk));
      return (writes[i] as (...a: unknown[]) => boolean).call(st, chunk, ...rest);
    }) as typeof st.write;
  });
  try {
    await fn();
  } finally {
    streams.forEach((st, i) => (st.write = writes[i]!));
  }
  return chunks.join('');
}
