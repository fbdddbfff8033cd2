/** Where progress goes: stderr, which is a terminal or not. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

export interface Progress {
  /** `done` of `total` so far; drawn at most ten times a second, and always at the end. */
  update(done: number, total: number): void;
  /** Ends the line with how long it took, so the command's summary starts on a line of its own. */
  finish(): void;
}

const SILENT: Progress = { update: () => undefined, finish: () => undefined };

/**
 * One line on a terminal that counts up while a long command works ("partners import: 1200/5000
 * (24 %) · 3 s"), redrawn in place. Only on a terminal: piped or redirected (scripts, tests, CI),
 * nothing at all is written, so output that is parsed stays as it was.
 */
export function progressLine(stream: ProgressStream, label: string, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return SILENT;
  const started = now();
  let drawnAt = -Infinity;
  let last: { done: number; total: number } | undefined;
  const seconds = () => ((now() - started) / 1000).toFixed(1);
  const draw = (text: string) => stream.write(`\r\x1b[2K${text}`);
  return {
    update(done, total) {
      last = { done, total };
      if (done < total && now() - drawnAt < 100) return;
      drawnAt = now();
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      draw(`${label}: ${done}/${total} (${percent} %) · ${seconds()} s`);
    },
    finish() {
      draw(last ? `${label}: ${last.done}/${last.total} in ${seconds()} s\n` : `${label}: done in ${seconds()} s\n`);
    },
  };
}
