/** A one-line progress bar on a terminal; silent when the stream is not a TTY or there are few items. */
export function progressBar(total: number, stream: NodeJS.WriteStream) {
  const active = stream.isTTY && total > 20;
  let done = 0;
  let last = 0;
  const draw = () => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
  };
  return {
    tick() {
      done++;
      if (active && (Date.now() - last > 100 || done === total)) {
        last = Date.now();
        draw();
      }
    },
    /** Prints something above the bar without garbling it. */
    interrupt(print: () => void) {
      if (active) stream.write('\r\u001b[K');
      print();
      if (active) draw();
    },
    done() {
      if (active) stream.write('\n');
    },
  };
}
