/** Splits text written in chunks into lines, keeping a partial last line until its newline or a flush. */
export class LineSplitter {
  private partial = '';

  /** The complete lines in `chunk` (with what came before it), without their line endings. */
  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map(stripCarriageReturn);
  }

  /** The partial line, if any: at the end of an invocation Lambda ends the event there too. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? [stripCarriageReturn(rest)] : [];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
